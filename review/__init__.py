"""The scheduled checks, the review flags they raise, and the yearly self-check (R4–R9, R6, R15, R19)."""
