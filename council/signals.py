"""Being written (issue 6): a mandate granted before a published meeting invites its editor."""
