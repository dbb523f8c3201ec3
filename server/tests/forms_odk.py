"""The pyxform side of server/tests/api/forms_odk.rs (the runtime differential test against ODK's
XForms engine), run by the venv python that has pyxform.

    generate DIR SEED COUNT   writes COUNT valid forms (.xlsx) into DIR, deterministically from
                              SEED, and prints one JSON line per file: {"file", "features"}.
                              Together they use relevance, constraints, required, calculations
                              (numbers, text, dates and times), choice filters, counted and open
                              repeats, groups, once() and coalesce().
    xform                     reads file paths from stdin, one a line, converts each with
                              pyxform.xls2xform.convert(validate=False) and prints one JSON line
                              per file: {"file", "xform", "error"}

One process converts every file, so the test does not pay pyxform's start-up once per form.
"""

import json
import os
import random
import sys
import warnings

from forms_pyxform import write_xlsx

# openpyxl warns about workbook styles it does not know.
warnings.simplefilter("ignore")

SURVEY_COLUMNS = ["type", "name", "label", "relevant", "constraint", "calculation", "required",
                  "choice_filter", "repeat_count", "default"]


class Form:
    """A form being generated: survey rows, choice lists, and the names earlier rows may read."""

    def __init__(self, rnd):
        self.rnd = rnd
        self.rows = []
        self.lists = {}
        self.features = set()
        self.count = 0
        # Names readable from here on, by kind: top-level ones anywhere, a repeat's own inside it.
        self.ints, self.decimals, self.texts, self.dates, self.times = [], [], [], [], []
        self.selects = []  # (name, list)
        self.multis = []  # (name, list)

    def name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def add(self, **cells):
        self.rows.append(cells)

    def pick(self, pool):
        return self.rnd.choice(pool) if pool else None

    def choice_list(self, parent=None):
        """A list of 2 to 5 choices with a `band` column (lo/hi), and, under a `parent` list,
        a `parent` column naming one of its choices."""
        name = self.name("list")
        items = []
        for i in range(1, self.rnd.randint(2, 5) + 1):
            item = {"name": f"c{i}", "label": f"Choice {i}", "band": self.rnd.choice(["lo", "hi"])}
            if parent:
                item["parent"] = self.rnd.choice(self.lists[parent])["name"]
            items.append(item)
        self.lists[name] = items
        return name

    # --- expressions over earlier questions ---------------------------------------------------

    def condition(self):
        """A relevance condition over an earlier answer, or None."""
        options = []
        if self.ints:
            options.append(lambda: f"${{{self.pick(self.ints)}}} > {self.rnd.randint(0, 8)}")
        if self.decimals:
            options.append(lambda: f"${{{self.pick(self.decimals)}}} <= 10.5")
        if self.selects:
            def sel():
                q, lst = self.pick(self.selects)
                return f"${{{q}}} = '{self.rnd.choice(self.lists[lst])['name']}'"
            options.append(sel)
        if self.multis:
            def multi():
                q, lst = self.pick(self.multis)
                c = self.rnd.choice(self.lists[lst])["name"]
                return self.rnd.choice([f"selected(${{{q}}}, '{c}')",
                                        f"count-selected(${{{q}}}) >= 2"])
            options.append(multi)
        if self.texts:
            options.append(lambda: f"${{{self.pick(self.texts)}}} != ''")
        if self.dates:
            options.append(lambda: f"${{{self.pick(self.dates)}}} < today()")
        if not options:
            return None
        self.features.add("relevance")
        return self.rnd.choice(options)()

    def calculation(self):
        """A calculation over earlier answers (or a constant one when there are none)."""
        rnd, out = self.rnd, []
        n, d, t = self.pick(self.ints), self.pick(self.decimals), self.pick(self.texts)
        if n:
            out += [f"${{{n}}} * 2 + 1", f"if(${{{n}}} > 3, 'big', 'small')",
                    f"${{{n}}} div 3", f"round(${{{n}}} div 7, 2)", f"${{{n}}} mod 4",
                    f"once(${{{n}}} * 10)"]
        if n and d:
            out += [f"${{{n}}} + ${{{d}}}", f"coalesce(${{{n}}}, ${{{d}}})", f"${{{d}}} * ${{{n}}}"]
        if t:
            out += [f"concat(${{{t}}}, '-', string-length(${{{t}}}))", f"coalesce(${{{t}}}, 'none')",
                    f"once(${{{t}}})", f"substr(${{{t}}}, 0, 3)"]
        if self.dates:
            dt = self.pick(self.dates)
            out += [f"format-date(date(decimal-date-time(${{{dt}}}) + 7), '%Y-%m-%d')",
                    f"int(today() - ${{{dt}}})", f"format-date(${{{dt}}}, '%Y/%m')",
                    f"coalesce(${{{dt}}}, today())"]
        if self.times:
            tm = self.pick(self.times)
            out += [f"format-date-time(${{{tm}}}, '%H:%M')"]
        if self.selects:
            q, _ = self.pick(self.selects)
            out += [f"jr:choice-name(${{{q}}}, '${{{q}}}')", f"coalesce(${{{q}}}, 'c1')"]
        if self.multis:
            q, _ = self.pick(self.multis)
            out += [f"count-selected(${{{q}}})", f"selected-at(${{{q}}}, 0)"]
        out += ["today()", "1 + 1", "format-date(today(), '%d %b %Y')"]
        calc = rnd.choice(out)
        self.features.add("once" if "once(" in calc else "coalesce" if "coalesce(" in calc
                          else "dates" if "date" in calc or "today" in calc else "calculation")
        return calc

    # --- questions ----------------------------------------------------------------------------

    def question(self, pools=True):
        rnd = self.rnd
        kind = rnd.choice(["integer", "integer", "decimal", "text", "select_one", "select_one",
                           "select_multiple", "date", "time", "dateTime", "calculate",
                           "calculate", "note"])
        name = self.name("q")
        cells = {"type": kind, "name": name, "label": f"Question {name}"}
        relevant = self.condition() if rnd.random() < 0.4 else None
        if relevant:
            cells["relevant"] = relevant
        if kind not in ("calculate", "note") and rnd.random() < 0.25:
            cells["required"] = "yes"
            self.features.add("required")
        pool = None
        if kind == "integer":
            if rnd.random() < 0.5:
                cells["constraint"] = rnd.choice([". >= 0 and . <= 20", ". > 2", ". != 7"])
                self.features.add("constraints")
            pool = self.ints
        elif kind == "decimal":
            if rnd.random() < 0.4:
                cells["constraint"] = ". < 50.5"
                self.features.add("constraints")
            pool = self.decimals
        elif kind == "text":
            if rnd.random() < 0.4:
                cells["constraint"] = rnd.choice(["string-length(.) > 3", "regex(., '^[A-Z]')"])
                self.features.add("constraints")
            pool = self.texts
        elif kind in ("select_one", "select_multiple"):
            parent = self.pick([s for s in self.selects])
            lst = self.choice_list(parent[1] if parent and rnd.random() < 0.5 else None)
            cells["type"] = f"{kind} {lst}"
            if "parent" in self.lists[lst][0]:
                cells["choice_filter"] = f"parent = ${{{parent[0]}}}"
                self.features.add("choice_filter")
            elif self.ints and rnd.random() < 0.3:
                cells["choice_filter"] = f"band = if(${{{self.pick(self.ints)}}} > 5, 'hi', 'lo')"
                self.features.add("choice_filter")
            pool = self.selects if kind == "select_one" else self.multis
            if pools:
                pool.append((name, lst))
            pool = None
        elif kind in ("date", "dateTime"):
            if kind == "date" and rnd.random() < 0.4:
                cells["constraint"] = ". <= today()"
            self.features.add("dates")
            pool = self.dates if kind == "date" else None
        elif kind == "time":
            self.features.add("times")
            pool = self.times
        elif kind == "calculate":
            del cells["label"]
            cells["calculation"] = self.calculation()
        if pools and pool is not None:
            pool.append(name)
        self.add(**cells)

    def repeat(self):
        """A repeat, counted by an earlier integer (or a constant) or open; its questions read
        its own answers, and a calculation after it sums or counts them."""
        rnd = self.rnd
        name = self.name("rep")
        cells = {"type": "begin_repeat", "name": name, "label": "A repeat"}
        if rnd.random() < 0.5:
            counter = self.pick(self.ints)
            cells["repeat_count"] = f"if(${{{counter}}} > 4, 4, ${{{counter}}})" if counter \
                else str(rnd.randint(1, 3))
            self.features.add("counted_repeat")
        else:
            self.features.add("open_repeat")
        self.add(**cells)
        inner = self.name("r")
        self.add(type="integer", name=inner, label="How many", constraint=". < 30")
        self.add(type="calculate", name=self.name("pos"), calculation="position(..)")
        self.add(type="text", name=self.name("rt"), label="Name",
                 relevant=f"${{{inner}}} > 2")
        saved = self.ints
        self.ints = [inner] + [n for n in saved]
        for _ in range(rnd.randint(0, 2)):
            self.question(pools=False)
        self.ints = saved
        self.add(type="end_repeat")
        self.add(type="calculate", name=self.name("agg"),
                 calculation=rnd.choice([f"sum(${{{inner}}})", f"count(${{{name}}})",
                                         f"max(${{{inner}}})"]))

    def group(self):
        self.add(type="begin_group", name=self.name("g"), label="A group",
                 relevant=self.condition() or "")
        for _ in range(rnd_between(self.rnd, 1, 3)):
            self.question()
        self.add(type="end_group")
        self.features.add("group")

    def body(self):
        for _ in range(rnd_between(self.rnd, 3, 6)):
            self.question()
        for _ in range(rnd_between(self.rnd, 1, 2)):
            self.rnd.choice([self.repeat, self.group, self.repeat])()
            for _ in range(rnd_between(self.rnd, 1, 3)):
                self.question()


def rnd_between(rnd, a, b):
    return rnd.randint(a, b)


def book(form):
    survey = [SURVEY_COLUMNS] + [[r.get(c, "") for c in SURVEY_COLUMNS] for r in form.rows]
    out = {"survey": survey}
    if form.lists:
        columns = ["list_name", "name", "label", "band", "parent"]
        choices = [columns]
        for lst, items in form.lists.items():
            choices.extend([lst] + [item.get(c, "") for c in columns[1:]] for item in items)
        out["choices"] = choices
    return out


def generate(folder, seed, count):
    rnd = random.Random(seed)
    for i in range(count):
        form = Form(rnd)
        form.body()
        path = os.path.join(folder, f"odk_{i:04}.xlsx")
        write_xlsx(path, book(form))
        print(json.dumps({"file": path, "features": sorted(form.features)}))


def xform_all():
    from pyxform.xls2xform import convert

    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        result = {"file": path, "xform": None, "error": None}
        try:
            result["xform"] = convert(xlsform=path, validate=False, warnings=[]).xform
        except Exception as e:  # noqa: BLE001 - reported per file
            result["error"] = f"{type(e).__name__}: {e}"
        print(json.dumps(result), flush=True)


def main(args):
    if args[:1] == ["generate"] and len(args) == 4:
        generate(args[1], int(args[2]), int(args[3]))
    elif args == ["xform"]:
        xform_all()
    else:
        sys.exit(f"usage: {sys.argv[0]} generate DIR SEED COUNT | xform (paths on stdin)")


if __name__ == "__main__":
    main(sys.argv[1:])
