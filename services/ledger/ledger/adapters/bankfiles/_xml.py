"""Streaming, defused reading of the bank's ISO 20022 XML (camt.054, pain.002).

The document is fed to expat in chunks through defusedxml's SAX driver with DTDs, entity
declarations and external references forbidden, so neither an entity bomb ("billion
laughs") nor an external entity (XXE) can do harm; the size, the nesting depth and the
length of any one text are limited too. The reader builds small element trees with their
line numbers and hands each *streamed* element (a camt.054 ``TxDtls`` or ``Ntry``, a
pain.002 ``TxInfAndSts``) to a callback as soon as it is complete, then forgets it, so a
large file never sits in memory whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO, Final
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler, feature_namespaces
from xml.sax.xmlreader import AttributesNSImpl, Locator

from defusedxml.common import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from ledger.adapters.bankfiles.model import BankFileError

DEFAULT_MAX_BYTES: Final = 256 * 1024 * 1024
"""A day of payments in camt.054 is some tens of MiB; memory stays bounded (streaming)."""
MAX_DEPTH: Final = 40
MAX_TEXT: Final = 10_000
MAX_NODES: Final = 100_000
"""Elements held at once (the open path plus the streamed element being built)."""
CHUNK: Final = 64 * 1024


@dataclass(slots=True)
class Node:
    """An element: its local name, line, attributes, text and child elements."""

    tag: str
    line: int
    attributes: dict[str, str] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    text: str = ""
    has_elements: bool = False
    """Whether it ever had child elements (its text, then, is only layout)."""

    def find(self, *path: str) -> Node | None:
        """The first element down ``path`` (local names), or ``None``."""
        node: Node | None = self
        for name in path:
            if node is None:
                return None
            node = next((child for child in node.children if child.tag == name), None)
        return node

    def find_all(self, *path: str) -> Iterator[Node]:
        """Every element down ``path`` (local names)."""
        if not path:
            yield self
            return
        for child in self.children:
            if child.tag == path[0]:
                yield from child.find_all(*path[1:])

    def text_of(self, *path: str) -> str | None:
        """The stripped text of the first element down ``path``, ``None`` when absent/empty."""
        node = self.find(*path)
        if node is None:
            return None
        return node.text.strip() or None


class XmlProblem(Exception):
    """The document cannot be read further (limit, forbidden construct, wrong root)."""

    def __init__(self, error: BankFileError) -> None:
        super().__init__(str(error))
        self.error = error


RootCheck = Callable[[str, str], str | None]
"""Given the root element's namespace and local name, why the document is refused, or None."""
OnElement = Callable[[Node, list[Node]], None]
"""Called with a completed streamed element and its open ancestors (root first)."""


class _Handler(ContentHandler):
    def __init__(self, streamed: Collection[str], on_element: OnElement, root: RootCheck) -> None:
        super().__init__()
        self.streamed = streamed
        self.on_element = on_element
        self.check_root = root
        self.stack: list[Node] = []
        self.marks: list[int] = []
        """Per open element, how many elements were held when it started."""
        self.nodes = 0
        self.namespace: str | None = None
        self.root: Node | None = None
        self.locator: Locator | None = None

    @property
    def line(self) -> int:
        line = self.locator.getLineNumber() if self.locator is not None else None
        return line or 0

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 (SAX API)
        self.locator = locator

    def startElementNS(  # noqa: N802 (SAX API)
        self, name: tuple[str | None, str], qname: str | None, attrs: AttributesNSImpl
    ) -> None:
        namespace, local = name
        if not self.stack:
            self.namespace = namespace or ""
            reason = self.check_root(self.namespace, local)
            if reason is not None:
                raise XmlProblem(BankFileError(self.line, local, reason))
        if len(self.stack) >= MAX_DEPTH:
            raise XmlProblem(BankFileError(self.line, local, f"nested deeper than {MAX_DEPTH}"))
        self.marks.append(self.nodes)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise XmlProblem(
                BankFileError(self.line, local, f"more than {MAX_NODES} elements held at once")
            )
        attributes = {key[1]: value for key, value in attrs.items()} if attrs else {}
        node = Node(tag=local, line=self.line, attributes=attributes)
        if self.stack:
            parent = self.stack[-1]
            parent.text = ""  # ISO 20022 has no mixed content: a parent's text is layout
            parent.has_elements = True
            parent.children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:  # noqa: N802
        node = self.stack.pop()
        mark = self.marks.pop()
        if node.tag in self.streamed:
            self.on_element(node, self.stack)
            if self.stack:
                self.stack[-1].children.pop()  # it is the last child: its parent is open
            self.nodes = mark  # it and all below it are gone

    def characters(self, content: str) -> None:
        if self.stack and not self.stack[-1].has_elements:
            node = self.stack[-1]
            if len(node.text) + len(content) > MAX_TEXT:
                raise XmlProblem(
                    BankFileError(self.line, node.tag, f"a text longer than {MAX_TEXT} characters")
                )
            node.text += content


def read_xml(
    source: bytes | IO[bytes],
    *,
    streamed: Collection[str],
    on_element: OnElement,
    root: RootCheck,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[Node | None, BankFileError | None]:
    """Read a document: the root (without its streamed elements) or the error that stopped it.

    Never raises on bad input: malformed XML, a DTD or entity, a limit exceeded or a root
    the caller refuses come back as one :class:`BankFileError` with the line it was found on.
    """
    handler = _Handler(streamed, on_element, root)
    parser = DefusedExpatParser(namespaceHandling=1, forbid_dtd=True)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    handler.locator = parser  # feed() never hands out a locator; the parser is one
    total = 0
    try:
        for chunk in _chunks(source):
            total += len(chunk)
            if total > max_bytes:
                return None, BankFileError(handler.line, "file", f"larger than {max_bytes} bytes")
            parser.feed(chunk)
        if total == 0:
            return None, BankFileError(0, "file", "the file is empty")
        parser.close()
    except XmlProblem as problem:
        return None, problem.error
    except SAXParseException as exc:
        return None, BankFileError(
            exc.getLineNumber() or 0, "XML", f"not well-formed: {exc.getMessage()}"
        )
    except DefusedXmlException as exc:
        return None, BankFileError(
            handler.line, "XML", f"forbidden (DTD, entity or external reference): {exc}"
        )
    except LookupError as exc:  # the XML declaration names an encoding Python does not know
        return None, BankFileError(1, "XML", f"unknown character encoding: {exc}")
    return handler.root, None


def _chunks(source: bytes | IO[bytes]) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]
        return
    while chunk := source.read(CHUNK):
        yield chunk


_AMOUNT: Final = re.compile(r"[0-9]{1,16}(?:\.[0-9]{1,2})?")


def amount_ore(text: str | None) -> int | None:
    """An ISO 20022 amount in NOK (``1234.5``) as øre, exactly; ``None`` when it is not one."""
    if text is None or not _AMOUNT.fullmatch(text):
        return None
    kroner, _, ore = text.partition(".")
    return int(kroner) * 100 + int(ore.ljust(2, "0"))


def format_amount(ore: int) -> str:
    """Øre as an ISO 20022 amount with two decimals (``123456`` → ``1234.56``)."""
    return f"{ore // 100}.{ore % 100:02d}"


def iso_date(text: str | None) -> date | None:
    """The calendar date of an ISO date or date-time, as written (``None`` when not one)."""
    if text is None or len(text) < 10:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def iso_datetime(text: str | None) -> datetime | None:
    """An ISO date-time (UTC assumed when it has no offset), ``None`` when not one."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
