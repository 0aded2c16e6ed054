#!/usr/bin/env python3
"""Breaks the stack on purpose, one way at a time, and shows which conformance checks catch it.

Each mutant is a list of exact text substitutions, applied in a throwaway git worktree of HEAD (the
working tree is never touched); then the conformance test of the json=std stack runs there. A mutant
that does not apply, does not build, or that no check catches makes the script fail.
Needs PostgreSQL and Redis: run it as `go run ./harness/cmd/harness exec -- python3 scripts/mutants.py`.
"""
import re
import subprocess
import sys
import tempfile

MUTANTS = [
    ("no HTML escaping of names and descriptions", [
        ("stacks/app/html.go", "\tID, Ledger, Name         string\n", "\tID, Ledger string\n\tName       template.HTML\n"),
        ("stacks/app/html.go", "return accountRow{ID: a.ID, Ledger: a.Ledger, Name: a.Name,", "return accountRow{ID: a.ID, Ledger: a.Ledger, Name: template.HTML(a.Name),"),
        ("stacks/app/html.go", "\tDescription string\n\tPostings    []postingRow", "\tDescription template.HTML\n\tPostings    []postingRow"),
        ("stacks/app/html.go", "r := txRow{ID: t.ID, Seq: t.Seq, Description: t.Description,", "r := txRow{ID: t.ID, Seq: t.Seq, Description: template.HTML(t.Description),"),
    ]),
    ("a replay answers 201 without Idempotent-Replayed", [
        ("stacks/app/api.go", "\t\tif out.replayed {\n\t\t\tstatus = 200\n\t\t}", "\t\tif false {\n\t\t\tstatus = 200\n\t\t}"),
        ("stacks/app/api.go", "\tresp.Replayed = out.replayed && out.conflict == \"\"", "\tresp.Replayed = false"),
    ]),
    ("no row lock on the accounts (FOR UPDATE removed)", [
        ("stacks/store/sqlc/sqlcdb/queries.sql.go", "ORDER BY id\nFOR UPDATE\n`", "ORDER BY id\n`"),
    ]),
    ("the read cache is not updated after a commit", [
        ("stacks/app/api.go", "\ta.putCache(ctx, entries)\n\tif a.events", "\t_ = entries\n\tif a.events"),
    ]),
    ("no outbox row for a commit", [
        ("stacks/store/sqlc/sqlcdb/queries.sql.go", "    INSERT INTO outbox (tx_id)\n    SELECT tx.id FROM tx", "    SELECT 1"),
    ]),
    ("a failed id is not final (its retry is decided again)", [
        ("stacks/app/api.go", "\t\tif !ex.Committed() {\n\t\t\ta.uncount(ctx, id, debits)\n\t\t}",
         "\t\tif !ex.Committed() {\n\t\t\treturn a.post(ctx, id+\"-retry\", postings, description)\n\t\t}"),
    ]),
    ("rule 3 checked before rule 2 for later postings", [
        ("stacks/app/rules.go", "\t\tcase d == nil:\n\t\t\treturn fail(ledgerspec.CodeDebitAccountNotFound, i)",
         "\t\tcase d == nil && i == 0:\n\t\t\treturn fail(ledgerspec.CodeDebitAccountNotFound, i)\n\t\tcase d == nil:\n\t\t\tcontinue"),
    ]),
    ("seq drawn before the ledger lock is held (seq order is not commit order)", [
        ("stacks/store/sqlc/sqlcdb/queries.sql.go",
         "WITH next AS (\n    UPDATE ledgers\n    SET last_seq = nextval('transaction_seq')\n    WHERE ledger = $1::text\n    RETURNING last_seq\n)",
         "WITH drawn AS (SELECT nextval('transaction_seq') AS v, pg_sleep(random() / 200)), next AS (\n    UPDATE ledgers\n    SET last_seq = greatest(last_seq, (SELECT v FROM drawn))\n    WHERE ledger = $1::text\n    RETURNING (SELECT v FROM drawn) AS last_seq\n)"),
    ]),
    ("balance computed as debits − credits", [
        ("stacks/app/views.go", "Balance:       a.CreditsPosted - a.DebitsPosted,", "Balance:       a.DebitsPosted - a.CreditsPosted,"),
    ]),
]


def run(cmd, cwd, check=True):
    return subprocess.run(cmd, cwd=cwd, check=check, text=True, capture_output=True)


def main():
    top = run(["git", "rev-parse", "--show-toplevel"], ".").stdout.strip()
    work = tempfile.mkdtemp(prefix="stacklab-mutants.")
    run(["git", "worktree", "add", "--detach", work, "HEAD"], top)
    failed = False
    try:
        for name, subs in MUTANTS:
            run(["git", "checkout", "-q", "--", "."], work)
            problem = None
            for path, old, new in subs:
                full = f"{work}/{path}"
                text = open(full).read()
                if text.count(old) != 1:
                    problem = f"its text occurs {text.count(old)} times in {path}"
                    break
                open(full, "w").write(text.replace(old, new))
            if problem:
                print(f"MUTANT {name!r}: does not apply: {problem}")
                failed = True
                continue
            out = run(["go", "test", "-count=1", "-run", "TestConformance/http=nethttp/store=sqlc/json=std/redis=goredis", "-v", "."],
                      f"{work}/stacks", check=False)
            text = out.stdout + out.stderr
            caught = sorted(set(re.findall(r"--- FAIL: TestConformance/\S+/redis=goredis/([a-z0-9-]+)", text)))
            if caught:
                print(f"MUTANT {name!r}: caught by {len(caught)} checks: {' '.join(caught)}")
            elif "build failed" in text or "cannot run" in text:
                print(f"MUTANT {name!r}: the stack does not build or the suite cannot run:")
                print("\n".join(l for l in text.splitlines() if ".go:" in l or "cannot run" in l)[:2000])
                failed = True
            else:
                print(f"MUTANT {name!r}: SURVIVED: no check failed")
                failed = True
    finally:
        run(["git", "worktree", "remove", "--force", work], top, check=False)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
