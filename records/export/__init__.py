"""Public records (R3): the records export.

Comms exports everything the portal holds about one account, or about every account, limited to a
period, as one ZIP file in the private storage (RecordsExport.file):

    accounts.json                 the registry entries of the exported accounts
    decisions.json … audit_events.json
                                  one file per kind of record (RecordKind)
    evidence/<id>.<ext>           the evidence files of the exported cases and legal-basis records
    schemas/<name>.schema.json    a JSON Schema for every JSON file
    secrecy_review.json           a public copy only: every item withheld for a secrecy review
    summary.html                  in Swedish, for people: what was exported, counts, parameters
    manifest.json                 every other file's path, size and SHA-256; parameters; counts

Every JSON file is written from the field definitions below (FILES): the same definitions give its
JSON Schema, so the data and its schema cannot drift apart. EXPORT_SCHEMA.md beside this module
explains the format to whoever receives an export (the archive, a requester).

A public copy (export.public_copy) is what may be handed out on a request for public records
(begäran om allmän handling). Personal data of third parties that needs a secrecy review
(sekretessprövning) is withheld and marked in place, never dropped: every record is still there and
counted, and secrecy_review.json lists each withheld item. Which fields, and why, is said at each
field (`secret=`). Staff acting in their role are public and stay.

Memory stays flat however large the database: querysets are read with .iterator() and every record
is written into its ZIP entry as it is read. Progress (done_steps of total_steps) is saved with
queryset updates that commit at once, so the status page sees it while the worker runs. A rerun of
the same export (acks_late: a killed worker's task is delivered again) starts over and ends in the
same file: entries carry the time of the request, not of the build, and the audit events are those
recorded up to the request (the export's own events excluded).
"""
