#!/usr/bin/env python3
"""Writes forms/visita_cobranza.xlsx, the debt-collection visit form Terreno ships.

This script is the form's readable source; the workbook it writes is committed beside it and
embedded in the server binary (new organizations and the demo start with it). Edit the rows
below, run the script, and commit both files:

    python3 scripts/make-visit-form.py            # writes forms/visita_cobranza.xlsx
    python3 scripts/make-visit-form.py OUT.xlsx   # writes elsewhere

Question names are a contract with the collector app, which prefills `balance` from the account
and derives the visit's promise and payment from `promise_amount`, `promise_date`,
`payment_amount`, `payment_method` and `payment_receipt`: rename nothing without changing the app.
A changed form needs a new `VERSION` (the server refuses a version it already stores).

Needs openpyxl (Debian: python3-openpyxl). The output is byte-for-byte reproducible: the
workbook's timestamps are fixed.
"""

import datetime
import io
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

FORM_ID = "visita_cobranza"
TITLE = "Visita de cobranza"
VERSION = "2026120601"
ES = "Español (es)"
EN = "English (en)"

REQUIRED = ("Esta respuesta es obligatoria", "This answer is required")
DEBTOR = "${contact_result} = 'debtor'"
SPOKE_TO_SOMEONE = "${contact_result} = 'debtor' or ${contact_result} = 'third_party'"
PROMISED = "${promise_amount} != ''"
PAID = "${payment_amount} != ''"
AMOUNT_WITHIN_BALANCE = ". > 0 and . <= ${balance}"

# One dict per survey row; absent keys are empty cells. Labels, hints and messages are
# (Spanish, English) pairs.
SURVEY = [
    {
        "type": "hidden",
        "name": "balance",
        # The app fills it with the account's outstanding balance (major units) when the visit
        # starts; the amount constraints read it.
    },
    {
        "type": "select_one contact_result",
        "name": "contact_result",
        "label": ("Resultado del contacto", "Contact result"),
        "required": "yes",
        "required_message": REQUIRED,
    },
    {
        "type": "text",
        "name": "person_contacted",
        "label": ("¿Con quién habló?", "Who did you speak to?"),
        "hint": ("Nombre de la persona atendida", "Name of the person you spoke to"),
        "required": "yes",
        "required_message": REQUIRED,
        "relevant": SPOKE_TO_SOMEONE,
    },
    {
        "type": "select_one relationship",
        "name": "relationship",
        "label": ("Relación con el deudor", "Relationship to the debtor"),
        "required": "yes",
        "required_message": REQUIRED,
        "relevant": "${contact_result} = 'third_party'",
    },
    {
        "type": "decimal",
        "name": "promise_amount",
        "label": ("Monto prometido", "Amount promised"),
        "hint": ("Déjelo vacío si no hubo promesa de pago", "Leave it empty if there was no promise"),
        "relevant": DEBTOR,
        "constraint": AMOUNT_WITHIN_BALANCE,
        "constraint_message": (
            "El monto prometido debe ser mayor que cero y no superar el saldo de ${balance}",
            "The amount promised must be above zero and at most the balance of ${balance}",
        ),
    },
    {
        "type": "date",
        "name": "promise_date",
        "label": ("Fecha prometida de pago", "Promised payment date"),
        "required": "yes",
        "required_message": REQUIRED,
        "relevant": PROMISED,
        "constraint": ". >= today() and . <= today() + 30",
        "constraint_message": (
            "La fecha de pago debe estar entre hoy y 30 días",
            "The payment date must be between today and 30 days from now",
        ),
    },
    {
        "type": "decimal",
        "name": "payment_amount",
        "label": ("Pago recibido", "Payment received"),
        "hint": ("Déjelo vacío si no recibió un pago", "Leave it empty if you received no payment"),
        "relevant": SPOKE_TO_SOMEONE,
        "constraint": AMOUNT_WITHIN_BALANCE,
        "constraint_message": (
            "El pago debe ser mayor que cero y no superar el saldo de ${balance}",
            "The payment must be above zero and at most the balance of ${balance}",
        ),
    },
    {
        "type": "select_one payment_method",
        "name": "payment_method",
        "label": ("Medio de pago", "Payment method"),
        "required": "yes",
        "required_message": REQUIRED,
        "relevant": PAID,
    },
    {
        "type": "text",
        "name": "payment_receipt",
        "label": ("Número de recibo", "Receipt number"),
        "relevant": PAID,
        "required": "${payment_method} != 'cash'",
        "required_message": (
            "El número de recibo es obligatorio salvo en pagos en efectivo",
            "The receipt number is required unless the payment is in cash",
        ),
    },
    {
        "type": "select_one non_payment_reason",
        "name": "non_payment_reason",
        "label": ("Motivo de no pago", "Reason for not paying"),
        "required": "yes",
        "required_message": REQUIRED,
        "relevant": f"{DEBTOR} and ${{promise_amount}} = '' and ${{payment_amount}} = ''",
    },
    {
        "type": "date",
        "name": "next_visit",
        "label": ("Próxima visita sugerida", "Suggested next visit"),
        "constraint": ". >= today()",
        "constraint_message": (
            "La próxima visita no puede ser antes de hoy",
            "The next visit cannot be before today",
        ),
    },
    {
        "type": "image",
        "name": "photo",
        "label": ("Foto de la fachada", "Photo of the façade"),
        "required": "${contact_result} = 'nobody_home' or ${contact_result} = 'wrong_address'",
        "required_message": (
            "Tome una foto de la fachada como evidencia de la visita",
            "Take a photo of the façade as evidence of the visit",
        ),
    },
    {
        "type": "image",
        "name": "signature",
        "label": ("Firma del cliente", "Customer's signature"),
        "appearance": "signature",
        "relevant": f"{PROMISED} or {PAID}",
    },
    {
        "type": "text",
        "name": "comment",
        "label": ("Comentario", "Comment"),
        "appearance": "multiline",
    },
]

# Choice lists: list name -> [(name, Spanish, English)].
CHOICES = {
    "contact_result": [
        ("debtor", "Deudor contactado", "Debtor contacted"),
        ("third_party", "Tercero", "Third party"),
        ("nobody_home", "Nadie en casa", "Nobody home"),
        ("wrong_address", "Dirección errada", "Wrong address"),
        ("refused", "Se negó a atender", "Refused to talk"),
    ],
    "relationship": [
        ("spouse", "Cónyuge", "Spouse"),
        ("parent", "Padre o madre", "Parent"),
        ("child", "Hijo o hija", "Child"),
        ("sibling", "Hermano o hermana", "Sibling"),
        ("employee", "Empleado", "Employee"),
        ("neighbour", "Vecino", "Neighbour"),
        ("other", "Otro", "Other"),
    ],
    "payment_method": [
        ("cash", "Efectivo", "Cash"),
        ("transfer", "Transferencia", "Transfer"),
        ("card", "Tarjeta", "Card"),
        ("cheque", "Cheque", "Cheque"),
        ("other", "Otro", "Other"),
    ],
    "non_payment_reason": [
        ("unemployed", "Desempleo", "Unemployed"),
        ("illness", "Enfermedad", "Illness"),
        ("disputes_debt", "No reconoce la deuda", "Disputes the debt"),
        ("forgot", "Olvidó el pago", "Forgot"),
        ("no_funds", "Sin fondos", "No funds"),
        ("other", "Otro", "Other"),
    ],
}

TRANSLATED = ["label", "hint", "required_message", "constraint_message"]
PLAIN = ["required", "relevant", "constraint", "appearance"]


def survey_header():
    header = ["type", "name"]
    for column in TRANSLATED:
        header += [f"{column}::{ES}", f"{column}::{EN}"]
    return header + PLAIN


def survey_row(question):
    row = [question["type"], question["name"]]
    for column in TRANSLATED:
        spanish, english = question.get(column, ("", ""))
        row += [spanish, english]
    return row + [question.get(column, "") for column in PLAIN]


def build():
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(survey_header())
    for question in SURVEY:
        survey.append(survey_row(question))

    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", f"label::{ES}", f"label::{EN}"])
    for list_name, items in CHOICES.items():
        for name, spanish, english in items:
            choices.append([list_name, name, spanish, english])

    settings = wb.create_sheet("settings")
    settings.append(["form_id", "form_title", "version", "default_language"])
    settings.append([FORM_ID, TITLE, VERSION, ES])

    # Empty cells are written as None so the sheets hold no empty strings.
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == "":
                    cell.value = None
    fixed = datetime.datetime(2026, 12, 6)
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.creator = "scripts/make-visit-form.py"
    return wb


def main():
    root = Path(__file__).resolve().parent.parent
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "forms" / f"{FORM_ID}.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(reproducible(build()))
    print(f"wrote {out}")


def reproducible(wb):
    """The workbook's bytes with every ZIP entry dated the same fixed day (openpyxl stamps
    entries with the current time, so two runs would differ)."""
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 12, 6, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


if __name__ == "__main__":
    main()
