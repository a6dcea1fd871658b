"""The payout file writer (pain.001) and the reader of the bank's answer (pain.002).

``samples/pain001_001_09_settlement.xml`` and ``pain001_001_03_settlement.xml`` are the
writer's output for one settlement run, reviewed against the ISO 20022 schemas
(CustomerCreditTransferInitiationV09 and V03: element order, ``ReqdExctnDt/Dt`` against
``ReqdExctnDt``, ``BICFI`` against ``BIC``) and kept as golden files.
``samples/pain002_001_10_partly_rejected.xml`` was written by hand after
CustomerPaymentStatusReportV10.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from defusedxml import ElementTree as SafeET
from hypothesis import given
from hypothesis import strategies as st
from ledger.adapters.bankfiles import (
    InvalidPayoutBatch,
    Payout,
    PayoutBatch,
    account_problem,
    parse_pain002,
    write_pain001,
)

pytestmark = pytest.mark.unit

SAMPLES = Path(__file__).parent / "samples"
NS09 = "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.09}"

SETTLEMENT = PayoutBatch(
    message_id="AVR-2025-03-0007",
    debtor_account="1503.12.34562",
    requested_execution_date=date(2025, 3, 14),
    payouts=(
        Payout(
            "AVR-2025-03-0007-1",
            "9710.05.12347",
            "Fjordkraft Demo AS",
            1200000,
            "Avregning 2025-03 nr 7",
        ),
        Payout(
            "AVR-2025-03-0007-2",
            "NO93 8601 1117 947",
            "Bølgen & Co AS",
            5,
            "Avregning 2025-03 nr 7",
            "00000000422",
        ),
    ),
    debtor_name="Nordlys Inkasso AS",
    debtor_organisation_number="123456785",
    debtor_agent_bic="DNBANOKK",
    created_at=datetime(2025, 3, 13, 15, 0, tzinfo=UTC),
)


def test_the_settlement_is_written_as_the_reviewed_pain001_09() -> None:
    written = write_pain001(SETTLEMENT)

    assert written == (SAMPLES / "pain001_001_09_settlement.xml").read_bytes()


def test_the_settlement_is_written_as_the_reviewed_pain001_03() -> None:
    written = write_pain001(SETTLEMENT, version="pain.001.001.03")

    assert written == (SAMPLES / "pain001_001_03_settlement.xml").read_bytes()


def test_the_file_declares_its_count_and_exact_control_sum() -> None:
    root = SafeET.fromstring(write_pain001(SETTLEMENT))

    assert root.findtext(f"{NS09}CstmrCdtTrfInitn/{NS09}GrpHdr/{NS09}NbOfTxs") == "2"
    assert root.findtext(f"{NS09}CstmrCdtTrfInitn/{NS09}GrpHdr/{NS09}CtrlSum") == "12000.05"
    assert root.findtext(f"{NS09}CstmrCdtTrfInitn/{NS09}PmtInf/{NS09}CtrlSum") == "12000.05"
    amounts = root.findall(f".//{NS09}InstdAmt")
    assert [(a.text, a.get("Ccy")) for a in amounts] == [("12000.00", "NOK"), ("0.05", "NOK")]


def test_a_norwegian_account_is_a_bban_and_a_foreign_spelling_an_iban() -> None:
    root = SafeET.fromstring(write_pain001(SETTLEMENT))

    accounts = root.findall(f".//{NS09}CdtrAcct/{NS09}Id")
    assert accounts[0].findtext(f"{NS09}Othr/{NS09}Id") == "97100512347"
    assert accounts[0].findtext(f"{NS09}Othr/{NS09}SchmeNm/{NS09}Cd") == "BBAN"
    assert accounts[1].findtext(f"{NS09}IBAN") == "NO9386011117947"


def test_every_fault_of_a_batch_is_listed_and_nothing_is_written() -> None:
    batch = PayoutBatch(
        message_id="AVR//7",
        debtor_account="1503.12.34563",
        requested_execution_date=date(2025, 3, 14),
        payouts=(
            Payout("E-1", "9710.05.12348", "Fjordkraft", 100),
            Payout("E-1", "NO9386011117948", " ", 0),
            Payout("E 3 with a much too long end-to-end id", "97100512347", "X", -5),
            Payout("E-4", "97100512347", "X\x00Y", 1, "x" * 141, "00000000423"),
        ),
        debtor_organisation_number="123456789",
        debtor_agent_bic="dnbanokk",
    )

    with pytest.raises(InvalidPayoutBatch) as refused:
        write_pain001(batch)

    assert [(p.line, p.field) for p in refused.value.problems] == [
        (0, "message_id"),
        (0, "debtor_account"),
        (0, "debtor_organisation_number"),
        (0, "debtor_agent_bic"),
        (1, "creditor_account"),
        (2, "end_to_end_id"),
        (2, "creditor_account"),
        (2, "creditor_name"),
        (2, "amount_ore"),
        (3, "end_to_end_id"),
        (3, "amount_ore"),
        (4, "creditor_name"),
        (4, "remittance"),
        (4, "creditor_reference"),
    ]
    assert "used twice" in str(refused.value)


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(InvalidPayoutBatch, match="at least one payout"):
        write_pain001(PayoutBatch("AVR-1", "15031234562", date(2025, 3, 14), ()))


@pytest.mark.parametrize(
    ("account", "valid"),
    [
        ("1503.12.34562", True),
        ("1503 12 34562", True),
        ("NO72 1503 1234 562", True),
        ("DE89370400440532013000", True),
        ("15031234563", False),
        ("1503123456", False),
        ("NO7215031234563", False),
    ],
)
def test_accounts_are_checked_with_their_check_digits(account: str, valid: bool) -> None:
    assert (account_problem(account) is None) is valid


@given(st.lists(st.integers(min_value=1, max_value=10**13), min_size=1, max_size=30))
def test_control_sum_and_amounts_are_exact_in_ore(amounts: list[int]) -> None:
    batch = PayoutBatch(
        message_id="AVR-H",
        debtor_account="15031234562",
        requested_execution_date=date(2025, 3, 14),
        payouts=tuple(
            Payout(f"AVR-H-{n}", "97100512347", "Kreditor", amount)
            for n, amount in enumerate(amounts)
        ),
        created_at=datetime(2025, 3, 13, tzinfo=UTC),
    )

    root = SafeET.fromstring(write_pain001(batch))

    written = [Decimal(a.text or "") for a in root.findall(f".//{NS09}InstdAmt")]
    assert [int(amount * 100) for amount in written] == amounts
    control = root.findtext(f"{NS09}CstmrCdtTrfInitn/{NS09}GrpHdr/{NS09}CtrlSum")
    assert int(Decimal(control or "") * 100) == sum(amounts)


# -- pain.002 --------------------------------------------------------------------------------


def test_the_partly_rejected_report_reads_per_payout() -> None:
    answer = parse_pain002((SAMPLES / "pain002_001_10_partly_rejected.xml").read_bytes())

    assert answer.errors == ()
    assert (answer.message_id, answer.original_message_id) == (
        "PSR-20250312-000431",
        "AVR-2025-03-0007",
    )
    assert answer.group_status == "PART"
    assert answer.state_of("AVR-2025-03-0007-1") == "accepted"
    assert answer.state_of("AVR-2025-03-0007-2") == "rejected"
    rejected = answer.statuses[1]
    assert (rejected.reason_code, rejected.reason) == ("AC01", "Kontonummeret finnes ikke")


def report(body: str, version: str = "pain.002.001.03") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{version}">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>R-1</MsgId><CreDtTm>2025-03-13T15:00:00</CreDtTm></GrpHdr>
    {body}
  </CstmrPmtStsRpt>
</Document>""".encode()


def test_a_whole_file_rejected_by_its_group_status() -> None:
    answer = parse_pain002(
        report(
            "<OrgnlGrpInfAndSts><OrgnlMsgId>AVR-1</OrgnlMsgId><GrpSts>RJCT</GrpSts>"
            "<StsRsnInf><Rsn><Cd>DU01</Cd></Rsn></StsRsnInf></OrgnlGrpInfAndSts>"
        )
    )

    assert answer.errors == ()
    assert answer.state_of("AVR-1-1") == "rejected"
    assert answer.group_reason_code == "DU01"
    assert answer.created_at == datetime(2025, 3, 13, 15, 0, tzinfo=UTC)


def test_a_payout_without_its_own_status_takes_the_payment_informations() -> None:
    answer = parse_pain002(
        report(
            "<OrgnlGrpInfAndSts><OrgnlMsgId>AVR-1</OrgnlMsgId></OrgnlGrpInfAndSts>"
            "<OrgnlPmtInfAndSts><OrgnlPmtInfId>AVR-1</OrgnlPmtInfId><PmtInfSts>ACTC</PmtInfSts>"
            "<TxInfAndSts><OrgnlEndToEndId>AVR-1-1</OrgnlEndToEndId></TxInfAndSts>"
            "</OrgnlPmtInfAndSts>"
        )
    )

    assert answer.errors == ()
    assert answer.group_status == "ACTC"
    assert [(s.end_to_end_id, s.state, s.status_code) for s in answer.statuses] == [
        ("AVR-1-1", "pending", "ACTC")
    ]
    assert answer.state_of("unknown") == "pending"


def test_broken_reports_are_reported() -> None:
    missing_id = parse_pain002(
        report(
            "<OrgnlGrpInfAndSts><OrgnlMsgId>AVR-1</OrgnlMsgId><GrpSts>accepted</GrpSts>"
            "</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts>"
            "<TxInfAndSts><TxSts>ACCP</TxSts></TxInfAndSts></OrgnlPmtInfAndSts>"
        )
    )
    no_original = parse_pain002(report(""))
    not_a_report = parse_pain002((SAMPLES / "camt054_001_02_batch.xml").read_bytes())

    assert [e.field for e in missing_id.errors] == ["GrpSts", "TxInfAndSts/OrgnlEndToEndId"]
    assert [e.field for e in no_original.errors] == ["OrgnlGrpInfAndSts/OrgnlMsgId"]
    assert "not a pain.002 document" in not_a_report.errors[0].reason
    assert not_a_report.statuses == ()
