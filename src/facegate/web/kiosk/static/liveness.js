// The live check: ask for a challenge, show each step's prompt, capture a few frames per step from
// the camera into memory, send them as one JSON body, and show the answer. Nothing is stored (M-8.1).
"use strict";

(function () {
  const box = document.getElementById("liveness");
  if (!box) return;
  const video = document.getElementById("live-cam");
  const prompt = document.getElementById("live-prompt");
  const result = document.getElementById("result-live");
  const zh = box.dataset.lang !== "en";
  const STEP_MS = 2000; // frames are spread evenly over each step, so a slow or early movement is still seen
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  function show(text, ok, code) {
    result.textContent = text;
    result.className = "result " + (ok ? "ok" : "bad");
    result.dataset.code = code || "";
  }

  function grab(canvas) {
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL("image/jpeg", 0.9);
  }

  async function run() {
    result.textContent = "…"; result.className = "result"; result.dataset.code = "";
    // The challenge first, then the camera: capture starts as soon as the camera shows a picture.
    const r = await fetch(box.dataset.challenge, { method: "POST", headers: { "Accept": "application/json" } });
    const challenge = await r.json();
    if (!r.ok) {  // the page's language first (issue 16 item 11)
      const a = challenge.detail_zh || challenge.detail, b = challenge.detail || "";
      show(zh ? a + " / " + b : b + " / " + a, false, challenge.code);
      return;
    }
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false });
    const frames = [];
    try {
      video.srcObject = stream; video.hidden = false;
      await video.play();
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth; canvas.height = video.videoHeight;
      const n = challenge.frames_per_step, gap = STEP_MS / n, start = performance.now();
      for (let step = 0; step < challenge.steps.length; step++) {
        const s = challenge.steps[step];
        prompt.textContent = zh ? s.prompt_zh + " / " + s.prompt_en : s.prompt_en + " / " + s.prompt_zh;
        prompt.dataset.step = s.step;
        for (let seq = 0; seq < n; seq++) {
          // Deadlines on one clock from the start, so a busy machine's late timers do not add up.
          await sleep(Math.max(0, start + step * STEP_MS + (seq + 0.5) * gap - performance.now()));
          frames.push({ step: step, seq: seq, image: grab(canvas) });
        }
      }
      prompt.textContent = box.dataset.tReady; prompt.dataset.step = "";
      const tok = await fetch(box.dataset.token);
      const params = new URLSearchParams({ purpose: box.dataset.purpose, challenge_id: challenge.challenge_id,
        subject_ref: document.querySelector(box.dataset.refInput).value.trim() });
      const v = await fetch(box.dataset.endpoint + "?" + params, {
        method: "POST", body: JSON.stringify({ frames: frames }),
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "X-Form-Token": (await tok.json()).token } });
      const data = await v.json();
      if (!v.ok) {
        const a = data.detail_zh || data.detail, b = data.detail || "";
        show(zh ? a + " / " + b : b + " / " + a, false, data.code);
      } else if (data.is_match) show(box.dataset.tMatch, true, "match");
      else show(box.dataset.tNoMatch, false, "no_match");
    } finally {
      stream.getTracks().forEach((tr) => tr.stop());
      video.hidden = true;
      frames.length = 0;
    }
  }

  document.getElementById("live-start").addEventListener("click", () => {
    run().catch((e) => show(String(e), false, "camera_unavailable"));
  });
})();
