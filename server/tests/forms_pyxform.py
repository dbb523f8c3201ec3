"""The pyxform side of server/tests/api/forms_pyxform.rs, run by the venv python that has pyxform.

    generate DIR SEED COUNT   writes COUNT small forms (.xlsx and pyxform's one-file .csv) into
                              DIR, deterministically from SEED, and prints one JSON line per
                              file: {"file", "defect", "sheet", "row"} (defect null for a valid
                              form; sheet and row where the defect was planted)
    convert                   reads file paths from stdin, one a line, converts each with
                              pyxform.xls2xform.convert(validate=False) and prints one JSON line
                              per file: {"file", "ok", "error", "error_type"}

One process converts every file, so the test does not pay pyxform's start-up once per form.
Rows are written as pyxform numbers them: the header is row 1, the first data row row 2.
"""

import csv
import json
import os
import random
import sys
import warnings

# openpyxl warns about workbook styles it does not know; the verdict is what matters here.
warnings.simplefilter("ignore")

DEFECTS = [
    "unknown_type",
    "duplicate_name",
    "missing_name",
    "calculate_without_calculation",
    "unknown_reference",
    "calculation_cycle",
    "missing_list",
    "unclosed_group",
    "unopened_end_group",
    "unclosed_repeat",
    "unopened_end_repeat",
    "reserved_name",
    "duplicate_column",
    "bad_expression",
]

SURVEY_COLUMNS = ["type", "name", "label", "relevant", "constraint", "calculation", "required"]


class Form:
    """A form being generated: survey rows as dicts, choice lists, settings."""

    def __init__(self, rnd):
        self.rnd = rnd
        self.rows = []
        self.lists = {}
        self.numbers = []  # names of integer questions visible at top level
        self.selects = []  # (name, list) of select_one questions visible at top level
        self.count = 0

    def name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def add(self, **cells):
        self.rows.append(cells)
        return len(self.rows) + 1  # the spreadsheet row: header is row 1

    def choice_list(self):
        name = self.name("list")
        size = self.rnd.randint(2, 4)
        self.lists[name] = [(f"c{i}", f"Choice {i}") for i in range(1, size + 1)]
        return name

    def question(self, top_level):
        kind = self.rnd.choice(["text", "integer", "decimal", "select_one", "select_multiple",
                                "date", "note", "calculate", "geopoint"])
        name = self.name("q")
        cells = {"type": kind, "name": name, "label": f"Question {name}"}
        # Only earlier questions are read: a question whose relevance reads itself is a cycle
        # ODK refuses (pyxform does not look), not a valid form.
        numbers, selects = list(self.numbers), list(self.selects)
        if kind in ("select_one", "select_multiple"):
            lst = self.choice_list()
            cells["type"] = f"{kind} {lst}"
            if kind == "select_one" and top_level:
                self.selects.append((name, lst))
        elif kind == "integer":
            cells["constraint"] = f". >= {self.rnd.randint(0, 5)}"
            if top_level:
                self.numbers.append(name)
        elif kind == "calculate":
            del cells["label"]
            cells["calculation"] = (
                f"${{{self.rnd.choice(numbers)}}} * 2" if numbers else "1 + 1"
            )
        if kind not in ("note", "calculate") and self.rnd.random() < 0.3:
            cells["required"] = "yes"
        if kind != "calculate" and self.rnd.random() < 0.4:
            if numbers:
                cells["relevant"] = f"${{{self.rnd.choice(numbers)}}} > 2"
            elif selects:
                sel, lst = self.rnd.choice(selects)
                cells["relevant"] = f"selected(${{{sel}}}, '{self.lists[lst][0][0]}')"
        self.add(**cells)

    def body(self):
        for _ in range(self.rnd.randint(2, 5)):
            self.question(top_level=True)
        if self.rnd.random() < 0.6:
            kind = self.rnd.choice(["group", "repeat"])
            self.add(type=f"begin_{kind}", name=self.name(kind[0]), label=f"A {kind}")
            for _ in range(self.rnd.randint(1, 3)):
                self.question(top_level=False)
            self.add(type=f"end_{kind}")
        for _ in range(self.rnd.randint(0, 3)):
            self.question(top_level=True)


def plant(form, defect):
    """Changes `form` to have `defect`; returns the (sheet, row) of the defect, or None."""
    rnd = form.rnd
    at = lambda row: ("survey", row)  # noqa: E731
    if defect == "unknown_type":
        return at(form.add(type=rnd.choice(["texte", "integr", "selectone"]), name="odd",
                           label="Odd"))
    if defect == "duplicate_name":
        first = next(r for r in form.rows if r.get("name") and not r["type"].startswith("begin"))
        return at(form.add(type="text", name=first["name"], label="Again"))
    if defect == "missing_name":
        return at(form.add(type="text", label="No name"))
    if defect == "calculate_without_calculation":
        return at(form.add(type="calculate", name="calc_empty"))
    if defect == "unknown_reference":
        return at(form.add(type="text", name="refers", label="Refers",
                           relevant="${nowhere} = 'x'"))
    if defect == "calculation_cycle":
        row = form.add(type="calculate", name="cyc_a", calculation="${cyc_b} + 1")
        form.add(type="calculate", name="cyc_b", calculation="${cyc_a} + 1")
        return at(row)
    if defect == "missing_list":
        return at(form.add(type="select_one nolist", name="pick", label="Pick"))
    if defect == "unclosed_group":
        return at(form.add(type="begin_group", name="open_g", label="Open"))
    if defect == "unopened_end_group":
        return at(form.add(type="end_group"))
    if defect == "unclosed_repeat":
        row = form.add(type="begin_repeat", name="open_r", label="Open")
        form.add(type="text", name="inside", label="Inside")
        return at(row)
    if defect == "unopened_end_repeat":
        return at(form.add(type="end_repeat"))
    if defect == "reserved_name":
        return at(form.add(type="text", name="meta", label="Meta"))
    if defect == "duplicate_column":
        return ("survey", 1)
    if defect == "bad_expression":
        return at(form.add(type="text", name="badx", label="Bad",
                           constraint=rnd.choice([". > ", "(. > 3", ". >> 3", "1 +* 2"])))
    raise ValueError(defect)


def sheets(form, defect, rnd):
    """The sheets of the form as lists of rows, the header first."""
    survey_columns = list(SURVEY_COLUMNS)
    if defect == "duplicate_column":
        survey_columns.append("label")
    survey = [survey_columns]
    for r in form.rows:
        survey.append([r.get(c, "") for c in SURVEY_COLUMNS] + ([""] * (defect == "duplicate_column")))
    out = {"survey": survey}
    if form.lists:
        choices = [["list_name", "name", "label"]]
        for lst, items in form.lists.items():
            choices.extend([lst, n, lab] for n, lab in items)
        out["choices"] = choices
    if rnd.random() < 0.5:
        out["settings"] = [["form_id", "version"], [f"gen_{rnd.randint(1, 10**6)}", "1"]]
    return out


def write_xlsx(path, book):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in book.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append([c if c != "" else None for c in row])
    wb.save(path)


def write_csv(path, book, rnd):
    """pyxform's one-file layout, with stray blank lines and rows of empty cells that pyxform
    skips, so row numbers differ from line numbers."""
    width = 1 + max(len(r) for rows in book.values() for r in rows)
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        for name, rows in book.items():
            out.writerow([name] + [""] * (width - 1))
            for i, row in enumerate(rows):
                if i > 0 and rnd.random() < 0.1:
                    out.writerow([""] * width if rnd.random() < 0.5 else [])
                out.writerow([""] + list(row) + [""] * (width - 1 - len(row)))


def generate(folder, seed, count):
    rnd = random.Random(seed)
    for i in range(count):
        form = Form(rnd)
        form.body()
        # About a third are valid; the rest carry one defect each, every kind in turn.
        defect = None if i % 3 == 0 else DEFECTS[(i // 3 * 2 + i % 3 - 1) % len(DEFECTS)]
        sheet, row = plant(form, defect) if defect else (None, None)
        book = sheets(form, defect, rnd)
        ext = "csv" if i % 4 == 1 else "xlsx"
        path = os.path.join(folder, f"gen_{i:04}_{defect or 'valid'}.{ext}")
        if ext == "csv":
            write_csv(path, book, rnd)
        else:
            write_xlsx(path, book)
        print(json.dumps({"file": path, "defect": defect, "sheet": sheet, "row": row}))


def convert_all():
    from pyxform.xls2xform import convert

    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        result = {"file": path, "ok": True, "error": None, "error_type": None}
        try:
            convert(xlsform=path, validate=False, warnings=[])
        except Exception as e:  # noqa: BLE001 - a crash is a verdict too
            result.update(ok=False, error=str(e), error_type=type(e).__name__)
        print(json.dumps(result), flush=True)


def main(args):
    if args[:1] == ["generate"] and len(args) == 4:
        generate(args[1], int(args[2]), int(args[3]))
    elif args == ["convert"]:
        convert_all()
    else:
        sys.exit(f"usage: {sys.argv[0]} generate DIR SEED COUNT | convert (paths on stdin)")


if __name__ == "__main__":
    main(sys.argv[1:])
