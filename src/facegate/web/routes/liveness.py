"""Liveness over HTTP: issue a head-movement challenge, then verify 1:1 with its frames.

The frames come as one JSON body (``{"frames": [{"step", "seq", "image"}]}``,
images base64 or data: URLs), read into memory with a hard cap and never
spooled to disk, then dropped with the request.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from facegate.domain.access import Permission as P
from facegate.domain.liveness import Challenge
from facegate.errors import InvalidInput
from facegate.services import liveness
from facegate.web.auth import WorkHop, require_in_hop
from facegate.web.deps import app_ctx, capped_body
from facegate.web.problems import decision_body, refusal

router = APIRouter(prefix="/v1/deployments/{deployment_id}", tags=["liveness"])

MAX_FRAME_BYTES = 512 * 1024  # a 640x480 camera frame as JPEG is 30-100 kB


def _invalid(en: str, zh: str) -> InvalidInput:
    return InvalidInput("liveness_frames_invalid", en, zh, article_id="M-14.5")


async def read_frames(request: Request) -> list[liveness.Frame]:
    """The JSON body of frames, capped as it streams in; a clear 4xx for anything malformed."""
    max_frames = app_ctx(request).services.liveness_rules.max_frames
    limit = max_frames * MAX_FRAME_BYTES * 4 // 3 + 65536
    raw = await capped_body(request, limit, InvalidInput(
        "liveness_body_too_large", f"The frames are larger than {limit} bytes.", f"图像数据超过{limit}字节。",
        status=413, detail={"limit": limit}))
    try:
        body = json.loads(raw)
        items = body["frames"]
        if not isinstance(items, list) or not 0 < len(items) <= max_frames:
            raise _invalid(f"Send between 1 and {max_frames} frames.", f"须发送1至{max_frames}帧图像。")
        frames = []
        for item in items:
            data = str(item["image"])
            data = data.split(",", 1)[1] if data.startswith("data:") else data
            image = base64.b64decode(data, validate=True)
            if len(image) > MAX_FRAME_BYTES:
                raise _invalid("A frame is too large.", "单帧图像过大。")
            frames.append(liveness.Frame(int(item["step"]), int(item["seq"]), image))
        return frames
    except InvalidInput:
        raise
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise _invalid('The body must be {"frames": [{"step", "seq", "image"}]} with base64 images.',
                       "请求体须为包含 step、seq 和 base64 图像的 frames 列表。") from exc


def challenge_body(ch: Challenge, frames_per_step: int) -> dict[str, Any]:
    return {"challenge_id": ch.id, "steps": ch.prompts(), "frames_per_step": frames_per_step,
            "issued_at": ch.issued_at.isoformat(), "expires_at": ch.expires_at.isoformat(),
            "ttl_s": int((ch.expires_at - ch.issued_at).total_seconds())}


@router.post("/liveness/challenges", status_code=201)
async def new_challenge(request: Request, deployment_id: str,
                        hop: WorkHop = Depends(require_in_hop(P.VERIFY))) -> Any:
    """A one-time order of head movements: capture ``frames_per_step`` frames for each step, in order."""
    ctx = app_ctx(request).services
    # One thread-pool hop with the key check first in it, as the face routes (issue 14): with Redis
    # counters a separate authentication hop made two.
    ch = await hop.run(lambda: liveness.issue_challenge(ctx, deployment_id))
    return challenge_body(ch, ctx.liveness_rules.frames_per_step)


@router.post("/verify/live")
async def verify_live(request: Request, deployment_id: str, purpose: str, challenge_id: str = Query(max_length=64),
                      subject_ref: str = Query(min_length=1, max_length=128),
                      hop: WorkHop = Depends(require_in_hop(P.VERIFY))) -> Any:
    frames = await read_frames(request)
    ctx = app_ctx(request).services
    # A lambda: actor and client are known once the key is checked, which may happen first in this hop.
    result = await hop.run(lambda: liveness.verify_live(ctx, deployment_id, subject_ref, purpose, challenge_id,
                                                        frames, actor=getattr(request.state, "actor", "api"),
                                                        client=request.state.client))
    v = result.verify
    if not v.decision.allowed:
        return refusal(v.decision)
    return {**decision_body(v.decision), "is_match": v.is_match, "distance": v.distance, "threshold": v.threshold,
            "liveness": {"passed": True, "observed": list(result.liveness.observed)}}
