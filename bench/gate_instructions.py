"""Instructions the gate executes per verify, counted by valgrind's callgrind (issue 14).

Wall and CPU time on a shared machine move with everything else it runs; instruction counts do
not. This runs the gated verify with the embedding already computed (a fake engine that answers
from a memo), so only the gate, unsealing, storage and record run, and counts the instructions of
``--rounds`` x ``--people`` verifies between two callgrind toggles. It re-executes itself under
valgrind (``apt-get install valgrind``). SQLite by default; ``--db URL`` for PostgreSQL.

    python bench/gate_instructions.py            # about a minute; prints instructions per verify
    python bench/gate_instructions.py --profile  # and the callgrind file, for callgrind_annotate

Compare two commits by running it on each; a ratio to the engine's time is bench_service.py's job
(an ONNX embed executes few, wide instructions per millisecond, Python many narrow ones).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
P = "identity_verification"


def _count(rounds: int, people: int, db: str | None) -> None:
    """The measured part, run inside valgrind with instrumentation off until the loop."""
    sys.path.insert(0, str(ROOT))
    from facegate.bootstrap import build_context
    from facegate.domain.intrusion import IntrusionPolicy, Limit
    from facegate.domain.model import Mode
    from facegate.ports import Embedding, FaceOptions
    from facegate.services.consent import ConsentRequest, give_consent
    from facegate.services.faces import enroll, verify
    from facegate.testing import FakeFaceEngine
    from tests.conftest import install_deployment, make_settings

    class Memo(FakeFaceEngine):
        def __init__(self) -> None:
            self.memo: dict[bytes, Embedding] = {}

        def embed(self, image: bytes, options: FaceOptions = FaceOptions()) -> Embedding:
            if image not in self.memo:
                self.memo[image] = FakeFaceEngine.embed(self, image, options)
            return self.memo[image]

    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_context(make_settings(Path(tmp), db), engine=Memo())
        big = Limit(10**9, 60)
        ctx.defence.policy = IntrusionPolicy(per_key=big, per_client=big, per_subject=big, verify_failures=big)
        d = install_deployment(ctx, mode=Mode.IDENTIFY)
        names = [f"p{i}" for i in range(people)]
        for n in names:
            give_consent(ctx.services, ConsentRequest(d.id, n, P, d.notice_version, age_attested_by="bench"))
            enroll(ctx.services, d.id, n, P, f"face:{n}:1".encode())
            verify(ctx.services, d.id, n, P, f"face:{n}:2".encode())  # warm: caches filled, statements compiled
        toggle = ["callgrind_control", "-i"]
        subprocess.run([*toggle, "on", str(os.getpid())], check=True, capture_output=True)
        for _ in range(rounds):
            for n in names:
                assert verify(ctx.services, d.id, n, P, f"face:{n}:2".encode()).is_match
        subprocess.run([*toggle, "off", str(os.getpid())], check=True, capture_output=True)
        ctx.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--people", type=int, default=8)
    ap.add_argument("--db", help="database URL (default: SQLite in a temporary folder)")
    ap.add_argument("--profile", action="store_true", help="keep the callgrind output file and print its path")
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inside:
        _count(args.rounds, args.people, args.db)
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out" if not args.profile else Path(tempfile.mkstemp(suffix=".callgrind")[1])
        cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
               sys.executable, __file__, "--inside", "--rounds", str(args.rounds), "--people", str(args.people)]
        if args.db:
            cmd += ["--db", args.db]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        totals = next(int(line.split()[1]) for line in out.read_text().splitlines() if line.startswith("totals:"))
        n = args.rounds * args.people
        print(f"gate alone (embedding cached, {'PostgreSQL' if args.db else 'SQLite'}): "
              f"{totals / n / 1e6:.2f} M instructions per verify ({n} verifies, callgrind)")
        if args.profile:
            print(f"callgrind file: {out}")


if __name__ == "__main__":
    main()
