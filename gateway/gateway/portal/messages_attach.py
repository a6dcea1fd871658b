"""The words of attachments on notes (key, bokmål, English), joined into
:data:`gateway.portal.messages.MESSAGES`.

The cases service answers a refused file with a field code (``errors[].reason``/``code``:
``file_too_large`` …); the portal translates the code here, never the service's sentence.
"""

# ruff: noqa: RUF001, E501

from __future__ import annotations

ENTRIES: list[tuple[str, str, str]] = [
    ("attachment.label", "Vedlegg (valgfritt)", "Attachments (optional)"),
    (
        "attachment.hint",
        "PDF, bilder (PNG, JPEG, WebP) og Office-filer (Word, Excel, PowerPoint, OpenDocument), høyst 10 MB per fil. Filene sjekkes for virus før noen kan laste dem ned.",
        "PDF, images (PNG, JPEG, WebP) and office files (Word, Excel, PowerPoint, OpenDocument), at most 10 MB each. Files are checked for viruses before anyone can download them.",
    ),
    ("attachment.list_label", "Vedlegg", "Attachments"),
    ("attachment.status.clean", "Virussjekket", "Virus-checked"),
    (
        "attachment.status.pending",
        "Venter på virussjekk – kan ikke lastes ned ennå",
        "Waiting for the virus check – cannot be downloaded yet",
    ),
    (
        "attachment.status.quarantined",
        "Stoppet: skadelig innhold funnet",
        "Stopped: harmful content found",
    ),
    ("attachment.download", "Last ned {name}", "Download {name}"),
    ("attachment.size_kb", "{size} kB", "{size} kB"),
    (
        "attachment.notice.held",
        "Notatet er lagret. Vedlegget venter på virussjekk og kan lastes ned når det er godkjent.",
        "The note is saved. The attachment is waiting for its virus check and can be downloaded once it is approved.",
    ),
    (
        "attachment.note_saved_file_refused",
        "Notatet er lagret, men vedlegget «{name}» ble ikke lagt ved: {reason}",
        "The note is saved, but the attachment “{name}” was not added: {reason}",
    ),
    (
        "attachment.error.file_infected",
        "Virussjekken fant skadelig innhold i filen. Den er ikke lagret.",
        "The virus check found harmful content in the file. It was not kept.",
    ),
    (
        "attachment.error.file_too_large",
        "Filen er for stor. Den kan være høyst 10 MB.",
        "The file is too large. It may be at most 10 MB.",
    ),
    (
        "attachment.error.file_type_not_allowed",
        "Denne filtypen kan ikke legges ved. Bruk PDF, et bilde eller en Office-fil.",
        "This kind of file cannot be attached. Use a PDF, an image or an office file.",
    ),
    ("attachment.error.file_empty", "Filen er tom.", "The file is empty."),
    (
        "attachment.error.too_many_files",
        "Et notat kan ha høyst 10 vedlegg.",
        "A note can have at most 10 attachments.",
    ),
    (
        "attachment.error.unknown",
        "Vedlegget kunne ikke lagres. Prøv igjen.",
        "The attachment could not be saved. Try again.",
    ),
    (
        "attachment.not_released_title",
        "Vedlegget kan ikke lastes ned",
        "The attachment cannot be downloaded",
    ),
    (
        "attachment.not_released",
        "Vedlegget er ikke godkjent av virussjekken (ennå). Prøv igjen om litt.",
        "The attachment has not been approved by the virus check (yet). Try again shortly.",
    ),
    (
        "reason.file_infected",
        "Virussjekken fant skadelig innhold i filen.",
        "The virus check found harmful content in the file.",
    ),
    (
        "reason.file_too_large",
        "Filen er for stor (høyst 10 MB).",
        "The file is too large (at most 10 MB).",
    ),
    (
        "reason.file_type_not_allowed",
        "Denne filtypen kan ikke legges ved.",
        "This kind of file cannot be attached.",
    ),
    ("reason.file_empty", "Filen er tom.", "The file is empty."),
    ("reason.too_many_files", "For mange vedlegg på notatet.", "Too many attachments on the note."),
    (
        "problem.attachment_infected",
        "Virussjekken fant skadelig innhold i filen.",
        "The virus check found harmful content in the file.",
    ),
    ("problem.attachment_refused", "Filen kan ikke legges ved.", "The file cannot be attached."),
    (
        "problem.attachment_not_released",
        "Vedlegget er ikke godkjent av virussjekken (ennå).",
        "The attachment has not been approved by the virus check (yet).",
    ),
]
