"""The bank simulator: the files it writes follow their layouts, and it checks payout files as a
bank does (ISO 20022 status reasons). Its files are read back here with defusedxml only; the
ledger's readers are tested against it in ``services/ledger/tests/unit/bankfiles``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from xml.etree.ElementTree import Element

import pytest
from defusedxml import ElementTree as SafeET
from simulators.bank import (
    BankSimulator,
    IncomingPayment,
    camt054_file,
    kid_mod10,
    kid_mod11,
    main,
    ocr_giro_file,
    process_outgoing,
)

pytestmark = pytest.mark.unit

ACCOUNT = "1503.12.34562"
DAY = date(2025, 3, 14)


def pain001(
    *transfers: tuple[str, str, str],
    message_id: str = "AVR-1",
    count: str | None = None,
    control_sum: str | None = None,
    debtor_account: str = "15031234562",
    execution: str = "2025-03-14",
    version: str = "09",
    currency: str = "NOK",
) -> bytes:
    """A pain.001 of ``transfers`` (end-to-end id, amount in kroner, creditor account)."""
    total = sum(int(amount.replace(".", "")) for _, amount, _ in transfers)
    transactions = "".join(
        f"""<CdtTrfTxInf><PmtId><EndToEndId>{e2e}</EndToEndId></PmtId>
        <Amt><InstdAmt Ccy="{currency}">{amount}</InstdAmt></Amt><Cdtr><Nm>Kreditor</Nm></Cdtr>
        <CdtrAcct><Id><Othr><Id>{account}</Id></Othr></Id></CdtrAcct></CdtTrfTxInf>"""
        for e2e, amount, account in transfers
    )
    date_element = f"<Dt>{execution}</Dt>" if version == "09" else execution
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.{version}"><CstmrCdtTrfInitn>
<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2025-03-13T12:00:00</CreDtTm>
<NbOfTxs>{count or len(transfers)}</NbOfTxs>
<CtrlSum>{control_sum or f"{total // 100}.{total % 100:02d}"}</CtrlSum></GrpHdr>
<PmtInf><PmtInfId>{message_id}</PmtInfId><PmtMtd>TRF</PmtMtd>
<ReqdExctnDt>{date_element}</ReqdExctnDt><Dbtr><Nm>Nordlys Inkasso AS</Nm></Dbtr>
<DbtrAcct><Id><Othr><Id>{debtor_account}</Id></Othr></Id></DbtrAcct>
<DbtrAgt><FinInstnId><BICFI>DNBANOKK</BICFI></FinInstnId></DbtrAgt>{transactions}
</PmtInf></CstmrCdtTrfInitn></Document>""".encode()


def statuses(report: bytes) -> tuple[str, dict[str, tuple[str, str | None]]]:
    root = SafeET.fromstring(report)
    ns = root.tag.partition("}")[0] + "}"
    group = root.findtext(f".//{ns}GrpSts") or ""
    return group, {
        tx.findtext(f"{ns}OrgnlEndToEndId") or "": (
            tx.findtext(f"{ns}TxSts") or "",
            tx.findtext(f"{ns}StsRsnInf/{ns}Rsn/{ns}Cd"),
        )
        for tx in root.iter(f"{ns}TxInfAndSts")
    }


def test_kid_check_digits() -> None:
    assert kid_mod10("0000000042") == "00000000422"
    assert kid_mod11("0000000042") == "00000000426"
    assert kid_mod11("0000006") == "0000006-"


def test_an_ocr_file_follows_the_record_layout() -> None:
    data = ocr_giro_file(
        [
            IncomingPayment(150000, kid="00000000422", payer_account="3000.15.43217"),
            IncomingPayment(9950, message="Gjelder sak IC-117, Bølgen"),
            IncomingPayment(5000, kid="0000006-", reversal=True),
        ],
        account=ACCOUNT,
        settlement_date=DAY,
        transmission_number=42,
    )

    records = data.decode("iso-8859-1").split("\r\n")[:-1]
    assert all(len(record) == 80 for record in records)
    assert [r[6:8] for r in records] == [
        "10",
        "20",
        "30",
        "31",
        "30",
        "31",
        "32",
        "30",
        "31",
        "88",
        "89",
    ]
    assert records[0][16:23] == "0000042"
    assert records[1][24:35] == "15031234562"
    assert records[2][4:6] == "10"
    assert records[2][49:74] == " " * 14 + "00000000422"
    assert records[3][47:58] == "30001543217"
    assert records[4][4:6] == "21"
    assert records[6][15:55].rstrip() == "Gjelder sak IC-117, Bølgen"
    assert (records[7][4:6], records[7][31]) == ("18", "-")
    assert records[9][8:41] == f"{3:08d}{9:08d}{164950:017d}"
    assert records[10][8:41] == f"{3:08d}{11:08d}{164950:017d}"
    assert "ø".encode("iso-8859-1") in data


def test_an_ocr_file_refuses_what_it_cannot_express() -> None:
    with pytest.raises(ValueError, match="positive"):
        ocr_giro_file([IncomingPayment(0, kid="00000000422")], account=ACCOUNT, settlement_date=DAY)
    with pytest.raises(ValueError, match="40 characters"):
        ocr_giro_file([IncomingPayment(1, message="x" * 41)], account=ACCOUNT, settlement_date=DAY)


def find(root: Element, path: str) -> list[Element]:
    ns = root.tag.partition("}")[0] + "}"
    return root.findall(path.replace("{ns}", ns))


@pytest.mark.parametrize("version", ["camt.054.001.08", "camt.054.001.02"])
def test_a_camt054_has_the_kid_as_scor_reference_and_a_true_summary(version: str) -> None:
    data = camt054_file(
        [
            IncomingPayment(150000, kid="00000000422", payer_name="Kari Nordmann"),
            IncomingPayment(2500, kid="0000006-", reversal=True),
        ],
        account=ACCOUNT,
        booking_date=DAY,
        message_id="M-1",
        version=version,  # type: ignore[arg-type]
    )

    root = SafeET.fromstring(data)
    assert root.tag == f"{{urn:iso:std:iso:20022:tech:xsd:{version}}}Document"
    refs = find(root, ".//{ns}CdtrRefInf")
    assert [r.findtext(f"{root.tag[: root.tag.index('}') + 1]}Ref") for r in refs] == [
        "00000000422",
        "0000006-",
    ]
    assert [e.text for e in find(root, ".//{ns}Ntry/{ns}CdtDbtInd")] == ["CRDT", "DBIT"]
    assert [e.text for e in find(root, ".//{ns}TtlCdtNtries/{ns}Sum")] == ["1500.00"]
    assert [e.text for e in find(root, ".//{ns}TtlDbtNtries/{ns}Sum")] == ["25.00"]
    assert [e.text for e in find(root, ".//{ns}Acct/{ns}Id/{ns}IBAN")] == ["NO7215031234562"]
    if version == "camt.054.001.08":
        assert [e.text for e in find(root, ".//{ns}Ntry/{ns}Sts/{ns}Cd")] == ["BOOK", "BOOK"]
        assert [e.text for e in find(root, ".//{ns}Dbtr/{ns}Pty/{ns}Nm")] == ["Kari Nordmann"]
    else:
        assert [e.text for e in find(root, ".//{ns}Ntry/{ns}Sts")] == ["BOOK", "BOOK"]
        assert len(find(root, ".//{ns}AmtDtls/{ns}TxAmt/{ns}Amt")) == 2


def test_an_accepted_payout_file_is_answered_then_booked() -> None:
    bank = BankSimulator(account=ACCOUNT, balance_ore=1_000_000)

    receipt = bank.receive_pain001(pain001(("E-1", "1000.00", "97100512347")))
    debits = bank.book(DAY)

    assert receipt.group_status == "ACCP"
    assert statuses(receipt.status_report) == ("ACCP", {"E-1": ("ACCP", None)})
    assert debits is not None
    root = SafeET.fromstring(debits)
    assert [e.text for e in find(root, ".//{ns}Refs/{ns}EndToEndId")] == ["E-1"]
    assert [e.text for e in find(root, ".//{ns}Ntry/{ns}CdtDbtInd")] == ["DBIT"]
    assert bank.balance_ore == 900_000
    assert bank.book(DAY) is None


@pytest.mark.parametrize(
    ("version", "report", "bic"),
    [("09", "pain.002.001.10", "BICFI"), ("03", "pain.002.001.03", "BIC")],
)
def test_the_status_report_version_follows_the_payout_file(
    version: str, report: str, bic: str
) -> None:
    receipt = BankSimulator(account=ACCOUNT).receive_pain001(
        pain001(("E-1", "1.00", "97100512347"), version=version)
    )

    root = SafeET.fromstring(receipt.status_report)
    assert root.tag == f"{{urn:iso:std:iso:20022:tech:xsd:{report}}}Document"
    assert len(find(root, f".//{{ns}}DbtrAgt/{{ns}}FinInstnId/{{ns}}{bic}")) == 1


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not xml", "FF01"),
        (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>', "FF01"),
        (pain001(("E-1", "1.00", "97100512347")).replace(b"pain.001", b"pain.008"), "FF01"),
        (pain001(("E-1", "1.00", "97100512347"), count="2"), "AM18"),
        (pain001(("E-1", "1.00", "97100512347"), control_sum="1.01"), "AM10"),
        (pain001(("E-1", "1.00", "97100512347"), debtor_account="97100512347"), "AC02"),
        (pain001(("E-1", "1.00", "97100512347"), execution="2025-03-13"), "DT01"),
        (pain001(("E-1", "1.001", "97100512347"), control_sum="1.00"), "FF01"),
        (pain001(), "FF01"),
    ],
)
def test_a_payout_file_refused_whole(data: bytes, reason: str) -> None:
    bank = BankSimulator(account=ACCOUNT, today=DAY)

    receipt = bank.receive_pain001(data)

    assert (receipt.group_status, receipt.group_reason_code) == ("RJCT", reason)
    assert statuses(receipt.status_report) == ("RJCT", {})
    assert bank.book(DAY) is None


def test_each_payout_checked_on_its_own() -> None:
    bank = BankSimulator(
        account=ACCOUNT, balance_ore=1_000, closed_accounts=frozenset({"9710.05.12347"})
    )

    receipt = bank.receive_pain001(
        pain001(
            ("E-1", "5.00", "12070400004"),
            ("E-1", "1.00", "12070400004"),
            ("E-3", "1.00", "12070400005"),
            ("E-4", "1.00", "97100512347"),
            ("E-5", "5.01", "NO9386011117947"),
            ("E-6", "0.00", "12070400004"),
            ("E-7", "5.00", "NO9386011117947"),
        )
    )

    assert statuses(receipt.status_report) == (
        "PART",
        {
            "E-1": ("RJCT", "AM05"),  # the second E-1 overwrites the first in this dict
            "E-3": ("RJCT", "AC01"),
            "E-4": ("RJCT", "AC04"),
            "E-5": ("RJCT", "AM04"),
            "E-6": ("RJCT", "AM02"),
            "E-7": ("ACCP", None),
        },
    )
    assert [i.end_to_end_id for i in receipt.accepted] == ["E-1", "E-7"]


def test_another_currency_and_a_repeated_file_are_refused() -> None:
    bank = BankSimulator(account=ACCOUNT)
    euro = pain001(("E-1", "1.00", "97100512347"), currency="EUR")

    first = bank.receive_pain001(euro)
    again = bank.receive_pain001(euro)

    assert statuses(first.status_report) == ("RJCT", {"E-1": ("RJCT", "AM03")})
    assert (again.group_status, again.group_reason_code) == ("RJCT", "DU01")


def test_a_returned_payout_is_a_credit_marked_as_reversal() -> None:
    bank = BankSimulator(account=ACCOUNT, balance_ore=10_000)
    bank.receive_pain001(pain001(("E-1", "50.00", "97100512347")))
    bank.book(DAY)

    returned = SafeET.fromstring(bank.return_payout("E-1", date(2025, 3, 17)))

    assert [e.text for e in find(returned, ".//{ns}Ntry/{ns}CdtDbtInd")] == ["CRDT"]
    assert [e.text for e in find(returned, ".//{ns}Ntry/{ns}RvslInd")] == ["true"]
    assert [e.text for e in find(returned, ".//{ns}Refs/{ns}EndToEndId")] == ["E-1"]
    assert bank.balance_ore == 10_000


def test_payments_in_raise_the_balance() -> None:
    bank = BankSimulator(account=ACCOUNT, balance_ore=0)

    bank.receive_payments(
        [IncomingPayment(10_000, kid="00000000422"), IncomingPayment(2_500, reversal=True)],
        booking_date=DAY,
        file_format="ocr",
    )

    assert bank.balance_ore == 7_500


def test_the_directory_runner_answers_each_dropped_file_once(tmp_path: Path) -> None:
    (tmp_path / "outgoing").mkdir()
    (tmp_path / "outgoing" / "avr-1.xml").write_bytes(pain001(("E-1", "1.00", "97100512347")))
    bank = BankSimulator(account=ACCOUNT)

    written = process_outgoing(bank, tmp_path, DAY)

    assert [p.name for p in written] == ["pain002-avr-1.xml", "camt054-avr-1.xml"]
    assert (tmp_path / "outgoing" / "processed" / "avr-1.xml").exists()
    assert process_outgoing(bank, tmp_path, DAY) == []
    assert not list((tmp_path / "incoming").glob(".*.part"))


def test_the_pay_command_writes_a_payment_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "pay",
            "--dir",
            str(tmp_path),
            "--account",
            ACCOUNT,
            "--kid",
            "00000000422",
            "--amount",
            "1234.50",
        ]
    )

    [written] = (tmp_path / "incoming").glob("ocr-*.txt")
    assert code == 0
    assert capsys.readouterr().out.strip() == str(written)
    records = written.read_bytes().decode("iso-8859-1").split("\r\n")
    assert records[2][32:49] == f"{123450:017d}"
