"""The port for operator-supplied anti-spoofing models: ONNX built here with `onnx`, checked by SHA-256 (M-14.5)."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from facegate.adapters.face.spoof_onnx import OnnxSpoofDetector
from facegate.bootstrap import build_context
from facegate.domain.liveness import Step
from facegate.errors import ConfigurationError
from facegate.services.consent import ConsentRequest, give_consent
from facegate.services.faces import enroll
from facegate.services.liveness import Frame, issue_challenge, verify_live
from tests import liveness_media as lm
from tests.conftest import install_deployment, make_settings

ORDER = (Step.CENTRE, Step.NOD, Step.LEFT, Step.RIGHT, Step.NOD)


def _model(path: Path, *, two_classes: bool = False, size: int | str = 16) -> tuple[Path, str]:
    """A stand-in detector: the attack score is the crop's mean brightness (or a 2-class softmax of it)."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, size, size])
    nodes = [helper.make_node("ReduceMean", ["x"], ["m4"], axes=[1, 2, 3], keepdims=1),
             helper.make_node("Reshape", ["m4", "shape"], ["m"])]
    inits = [helper.make_tensor("shape", TensorProto.INT64, [2], [1, 1])]
    out = "m"
    if two_classes:
        nodes += [helper.make_node("Mul", ["m", "ten"], ["m10"]), helper.make_node("Sub", ["m10", "five"], ["logit"]),
                  helper.make_node("Concat", ["zero", "logit"], ["y"], axis=1)]
        inits += [helper.make_tensor("ten", TensorProto.FLOAT, [1, 1], [10.0]),
                  helper.make_tensor("five", TensorProto.FLOAT, [1, 1], [5.0]),
                  helper.make_tensor("zero", TensorProto.FLOAT, [1, 1], [0.0])]
        out = "y"
    y = helper.make_tensor_value_info(out, TensorProto.FLOAT, [1, 2 if two_classes else 1])
    model = helper.make_model(helper.make_graph(nodes, "spoof", [x], [y], inits),
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path.write_bytes(model.SerializeToString())
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def test_scores_come_from_the_model_on_the_resized_crop(tmp_path: Path) -> None:
    crop = np.full((120, 90, 3), 204, np.uint8)  # mean 0.8 after scaling to 0..1
    one = OnnxSpoofDetector(*_model(tmp_path / "one.onnx"), threshold=0.5)
    assert one.score(crop) == pytest.approx(0.8, abs=1e-5) and "one.onnx" in repr(one)
    two = OnnxSpoofDetector(*_model(tmp_path / "two.onnx", two_classes=True))
    assert two.score(crop) == pytest.approx(1 / (1 + math.exp(-3.0)), abs=1e-5)


def test_a_model_that_is_not_the_one_named_is_refused(tmp_path: Path) -> None:
    path, digest = _model(tmp_path / "m.onnx")
    with pytest.raises(ConfigurationError) as wrong:
        OnnxSpoofDetector(path, "0" * 64)
    assert wrong.value.code == "spoof_model_checksum"
    dynamic, dyn_digest = _model(tmp_path / "dyn.onnx", size="h")
    with pytest.raises(ConfigurationError) as bad_shape:
        OnnxSpoofDetector(dynamic, dyn_digest)
    assert bad_shape.value.code == "spoof_model_invalid"
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(ConfigurationError) as junk_err:
        OnnxSpoofDetector(junk, hashlib.sha256(b"not a model").hexdigest())
    assert junk_err.value.code == "spoof_model_invalid"
    with pytest.raises(ConfigurationError) as no_sum:
        build_context(make_settings(tmp_path / "n", spoof_model_path=path))
    assert no_sum.value.code == "spoof_model_checksum"
    assert digest not in str(no_sum.value)


def test_configured_model_judges_a_passed_live_check(tmp_path: Path, real_engine: Any,
                                                     face_images: dict[str, bytes]) -> None:
    path, digest = _model(tmp_path / "m.onnx")
    ctx = build_context(make_settings(tmp_path / "srv", spoof_model_path=path, spoof_model_sha256=digest,
                                      spoof_threshold=1.0), engine=real_engine)
    try:
        assert ctx.services.spoof_detector is not None
        d = install_deployment(ctx)
        give_consent(ctx.services, ConsentRequest(d.id, "g", "identity_verification", d.notice_version))
        assert enroll(ctx.services, d.id, "g", "identity_verification", face_images["obama2.jpg"]).decision.allowed
        ctx.services.liveness_steps = lambda n: ORDER
        face = lm.face_frame(real_engine, face_images["obama.jpg"])

        def attempt(seed: int):  # type: ignore[no-untyped-def]
            shots = lm.step_frames(*face, [s.value for s in ORDER], 3, seed=seed)
            ch = issue_challenge(ctx.services, d.id)
            return verify_live(ctx.services, d.id, "g", "identity_verification", ch.id,
                               [Frame(s, q, img) for s, q, img in shots])

        assert attempt(1).verify.is_match  # scores stay below 1.0: passes
        ctx.services.spoof_detector = replace_threshold(ctx.services.spoof_detector, 0.0)
        refused = attempt(2)
        assert refused.verify.decision.codes == ("liveness_spoof_suspected",)
        assert refused.verify.decision.reasons[0].article_id == "M-14.5"
    finally:
        ctx.close()


def replace_threshold(detector: Any, threshold: float) -> Any:
    detector.threshold = threshold
    return detector
