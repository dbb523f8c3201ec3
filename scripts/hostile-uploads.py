#!/usr/bin/env python3
"""Peak memory of the server during hostile workbook uploads (issue 16).

Starts `terreno-server demo` on a fresh database, logs in as the demo supervisor, then posts
each hostile file to the route import and the form import and reads the server's peak resident
memory (VmHWM in /proc/PID/status, reset before each case through /proc/PID/clear_refs). Linux
only; needs curl. Usage:

    cargo build --release -p terreno-server
    scripts/hostile-uploads.py target/release/terreno-server [CASE-NAME-PART]

The files are generated here, streaming (the 1 GiB bomb deflates as it is written).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
              'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_TAIL = '</sheetData></worksheet>'


def skeleton(zf, sheet):
    ns = 'http://schemas.openxmlformats.org'
    zf.writestr('[Content_Types].xml', (
        f'<?xml version="1.0"?><Types xmlns="{ns}/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>'))
    zf.writestr('_rels/.rels', (
        f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
        f'Target="xl/workbook.xml"/></Relationships>'))
    zf.writestr('xl/workbook.xml', (
        f'<?xml version="1.0"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
        f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="{sheet}" '
        f'sheetId="1" r:id="rId1"/></sheets></workbook>'))
    zf.writestr('xl/_rels/workbook.xml.rels', (
        f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet1.xml"/></Relationships>'))


def workbook(path, sheet, write_sheet, lie_size=None, strings=0, long_string=False):
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        skeleton(zf, sheet)
        if long_string:
            with zf.open('xl/sharedStrings.xml', 'w') as f:
                f.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main" uniqueCount="1"><si><t>')
                f.write(b'x' * ((1 << 20) - 64))
                f.write(b'</t></si></sst>')
        if strings:
            with zf.open('xl/sharedStrings.xml', 'w') as f:
                f.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main" uniqueCount="%d">' % strings)
                for _ in range(strings // 1000):
                    f.write(b'<si><t>a</t></si>' * 1000)
                f.write(b'</sst>')
        with zf.open('xl/worksheets/sheet1.xml', 'w') as f:
            write_sheet(f)
    if lie_size is not None:
        # Rewrite the uncompressed size in the local (offset 22) and central (24) headers.
        data = bytearray(open(path, 'rb').read())
        name = b'xl/worksheets/sheet1.xml'
        for m in re.finditer(rb'PK\x03\x04|PK\x01\x02', bytes(data)):
            i = m.start()
            name_at, size_at, len_at = (30, 22, 26) if data[i + 2] == 3 else (46, 24, 28)
            n = int.from_bytes(data[i + len_at:i + len_at + 2], 'little')
            if data[i + name_at:i + name_at + n] == name:
                data[i + size_at:i + size_at + 4] = lie_size.to_bytes(4, 'little')
        open(path, 'wb').write(data)
    return path


def lone_cell(cell):
    def write(f):
        f.write(f'{SHEET_HEAD}<row><c r="{cell}" t="inlineStr"><is><t>x</t></is></c></row>'
                f'{SHEET_TAIL}'.encode())
    return write


def giant_cell(f):
    f.write(f'{SHEET_HEAD}<row r="1"><c r="A1" t="inlineStr"><is><t>'.encode())
    zeros = b'0' * (1 << 20)
    for _ in range(1024):
        f.write(zeros)
    f.write(f'</t></is></c></row>{SHEET_TAIL}'.encode())


HEADER = ('<row r="1">' + ''.join(
    f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>'
    for c, h in zip('ABCD', ['external_id', 'debtor_name', 'address', 'balance'])) + '</row>')


def big_rows(f):
    f.write(f'{SHEET_HEAD}{HEADER}'.encode())
    text = b'x' * ((1 << 20) - 64)
    for r in range(2, 62):
        f.write(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>' % (r, r) + text +
                b'</t></is></c></row>')
    f.write(SHEET_TAIL.encode())


def shared_refs(f):
    f.write(f'{SHEET_HEAD}{HEADER}<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
            f'{SHEET_TAIL}'.encode())


def repeated_refs(f):
    f.write(f'{SHEET_HEAD}{HEADER}'.encode())
    for r in range(2, 1_000_002):
        f.write(b'<row r="%d"><c r="A%d" t="s"><v>0</v></c></row>' % (r, r))
    f.write(SHEET_TAIL.encode())


def many_cells(f):
    f.write(f'{SHEET_HEAD}<row r="1">'.encode())
    cells = b'<c r="A1"><v>1</v></c>' * (1 << 14)
    for _ in range(2048):  # 704 MiB of short, well-formed cells
        f.write(cells)
    f.write(f'</row>{SHEET_TAIL}'.encode())


def status(pid, field):
    with open(f'/proc/{pid}/status') as s:
        for line in s:
            if line.startswith(field + ':'):
                return int(line.split()[1]) // 1024  # MiB
    return 0


def post(port, token, path, file, out):
    r = subprocess.run(
        ['curl', '-s', '-o', '-', '-w', '\n%{http_code}', '-H', f'Authorization: Bearer {token}',
         '-F', f'file=@{file}', f'http://127.0.0.1:{port}{path}'],
        capture_output=True, text=True, timeout=600)
    body, _, code = r.stdout.rpartition('\n')
    out.append((code, body))


def main():
    binary = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix='terreno-hostile-')
    cases = []
    for cell in ['A4000000000', 'XFD1048576', 'FXSHRXW1']:
        cases.append((f'lone cell {cell}',
                      workbook(f'{tmp}/{cell}.xlsx', 'survey', lone_cell(cell))))
    cases.append(('bomb: one 1 GiB cell',
                  workbook(f'{tmp}/bomb.xlsx', 'survey', giant_cell)))
    cases.append(('bomb: 704 MiB of cells, size declared 1 KB',
                  workbook(f'{tmp}/lying.xlsx', 'survey', many_cells, lie_size=1000)))
    cases.append(('allowed: 1,000,000 one-letter shared strings (17 MB)',
                  workbook(f'{tmp}/strings.xlsx', 'survey', shared_refs, strings=1_000_000)))
    cases.append(('allowed: 60 rows of a 1 MiB cell (60 MiB sheet)',
                  workbook(f'{tmp}/rows.xlsx', 'survey', big_rows)))
    cases.append(('a 1 MiB shared string in 1,000,000 rows (1 TB if copied)',
                  workbook(f'{tmp}/repeat.xlsx', 'survey', repeated_refs, long_string=True)))
    for name, path in cases:
        print(f'# {name}: {os.path.getsize(path):,} bytes', file=sys.stderr)

    endpoints = [('route import', '/api/v1/imports/routes'), ('form', '/api/v1/forms')]
    print('| file | endpoint | answer | idle RSS (MiB) | peak RSS (MiB) | peak over idle (MiB) |')
    print('|---|---|---|---|---|---|')
    only = sys.argv[2] if len(sys.argv) > 2 else ''
    for name, path in cases:
        if only not in name:
            continue
        for ep_name, ep in endpoints:
            measure(binary, tmp, name, ep_name, [(ep, path)])
    if only:
        return
    # Two hostile uploads at once on each endpoint: both bombs.
    both = [(ep, p) for _, ep in endpoints for p in (cases[3][1], cases[4][1])]
    measure(binary, tmp, 'both bombs, on both endpoints at once (4 uploads)', 'both', both)


def measure(binary, tmp, name, ep_name, uploads):
    """A fresh server: its idle RSS, then its peak while `uploads` run at once."""
    db = f'{tmp}/demo-{time.monotonic_ns()}.db'
    server = subprocess.Popen(
        [binary, 'demo', '--db', db, '--listen', '127.0.0.1:0', '--mail-dir', f'{tmp}/mail'],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, 'RUST_LOG': 'warn'})
    try:
        port = int(server.stdout.readline().rsplit(':', 1)[1])
        login = subprocess.run(
            ['curl', '-s', '-H', 'content-type: application/json', '-d',
             json.dumps({'username': 'supervisor', 'password': 'terreno-demo'}),
             f'http://127.0.0.1:{port}/api/v1/auth/login'], capture_output=True, text=True)
        token = json.loads(login.stdout)['token']
        pid = server.pid
        time.sleep(1)
        idle = status(pid, 'VmRSS')
        with open(f'/proc/{pid}/clear_refs', 'w') as f:
            f.write('5')
        out = []
        threads = [threading.Thread(target=post, args=(port, token, ep, path, out))
                   for ep, path in uploads]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        peak = status(pid, 'VmHWM')
        assert server.poll() is None, 'the server died'
        answers = []
        for code, body in out:
            msg = ''
            if body.startswith('{'):
                b = json.loads(body)
                msg = b.get('message') or f"summary, rows_read {b.get('rows_read')}"
            answers.append(f'{code} {msg[:80]}')
        print(f'| {name} | {ep_name} | {"; ".join(answers)} | {idle} | {peak} | {peak - idle} |',
              flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == '__main__':
    main()
