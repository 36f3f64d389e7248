// Kiosk behaviour: accessibility modes, read-aloud, the under-14 switch, capture, the idle reset and the slip.
// The photo is read into memory and sent as one fetch body; nothing is kept (M-8.1).
"use strict";

(function () {
  const root = document.documentElement;

  function toggle(id, cls) {
    const btn = document.getElementById(id);
    if (!btn) return;
    const set = (on) => { root.classList.toggle(cls, on); btn.setAttribute("aria-pressed", String(on)); };
    set(localStorage.getItem("fg_" + cls) === "1");
    btn.addEventListener("click", () => {
      const on = !root.classList.contains(cls);
      set(on);
      localStorage.setItem("fg_" + cls, on ? "1" : "0");
    });
  }
  toggle("toggle-large", "large");
  toggle("toggle-contrast", "contrast");

  // Issue 16 item 1: after some time without a touch the screen clears everything for the next person.
  // The countdown is always on screen; near the end a dialog offers to stay. The reset is a POST to
  // /finish, which deletes the guest's cookies on the server (they are httponly).
  const body = document.body;
  if (body.dataset.idleSeconds) {
    const total = parseInt(body.dataset.idleSeconds, 10);
    const warnAt = Math.min(15, Math.ceil(total / 2));
    const label = document.getElementById("idle-countdown");
    const dialog = document.getElementById("idle-warning");
    const seconds = document.getElementById("idle-seconds");
    let last = Date.now();
    let gone = false;
    const touch = () => { last = Date.now(); if (dialog) dialog.hidden = true; };
    ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach((e) => document.addEventListener(e, touch, true));
    const stay = document.getElementById("idle-stay");
    if (stay) stay.addEventListener("click", touch);
    const tick = () => {
      if (gone) return;
      const left = Math.max(0, Math.ceil(total - (Date.now() - last) / 1000));
      if (label) label.textContent = label.dataset.tLeft.replace("{s}", String(left));
      if (dialog) { dialog.hidden = left > warnAt; if (seconds) seconds.textContent = String(left); }
      if (left <= 0) {
        gone = true;
        if (body.dataset.idleMethod === "post") document.getElementById("idle-reset").submit();
        else window.location.replace(body.dataset.idleTo);
      }
    };
    tick();
    setInterval(tick, 250);
  }

  // The receipt slip: printed on its own (the print stylesheet hides everything else).
  const print = document.getElementById("print-receipt");
  if (print) print.addEventListener("click", () => window.print());

  // A receipt code arriving in the fragment (the slip's QR code) fills the self-service form; the
  // fragment never reaches a server. It is then removed from the address bar.
  const codeInput = document.getElementById("receipt_code");
  if (codeInput && /^#FGR-[A-Z0-9]+$/i.test(window.location.hash)) {
    codeInput.value = window.location.hash.slice(1);
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  // M-5.5: the notice read aloud in the page's language.
  const speak = document.getElementById("read-aloud");
  if (speak) {
    if (!("speechSynthesis" in window)) {
      speak.disabled = true;
    } else {
      speak.addEventListener("click", () => {
        if (speechSynthesis.speaking) {
          speechSynthesis.cancel();
          speak.textContent = speak.dataset.tStart;
          return;
        }
        const el = document.querySelector(speak.dataset.target);
        const full = document.getElementById("notice-full");
        if (full) full.open = true;
        const u = new SpeechSynthesisUtterance(el ? el.innerText : "");
        u.lang = speak.dataset.voiceLang;
        u.onend = () => { speak.textContent = speak.dataset.tStart; };
        speak.textContent = speak.dataset.tStop;
        speechSynthesis.speak(u);
      });
    }
  }

  // M-7.1: a date of birth under 14 switches to the guardian's consent (M-7.2).
  const dob = document.getElementById("birth_date");
  if (dob) {
    const guardian = document.getElementById("guardian");
    const self = document.getElementById("self-consent");
    const blocked = document.getElementById("minors-blocked");
    const update = () => {
      const born = dob.value ? new Date(dob.value + "T00:00:00") : null;
      const today = new Date(dob.dataset.today + "T00:00:00");
      let minor = false;
      if (born && !isNaN(born) && born <= today) {
        const fourteen = new Date(born);
        fourteen.setFullYear(born.getFullYear() + 14);
        minor = today < fourteen;
      }
      const allowed = dob.dataset.minors === "yes";
      guardian.hidden = !(minor && allowed);
      self.hidden = minor;
      blocked.hidden = !(minor && !allowed);
      document.getElementById("face_consent").checked = minor ? false : document.getElementById("face_consent").checked;
    };
    dob.addEventListener("input", update);
    dob.addEventListener("change", update);
    if (dob.value) update();
  }

  // Capture: camera only after the person asks for it (M-10.3), or a file upload.
  document.querySelectorAll(".capture").forEach((box) => {
    const result = box.querySelector(".result");
    const fileInput = box.querySelector(".file");
    const video = box.querySelector(".cam");
    const shot = box.querySelector(".cam-shot");
    let stream = null;

    function show(text, ok, code) {
      result.textContent = text;
      result.className = "result " + (ok ? "ok" : "bad");
      result.dataset.code = code || "";
    }

    async function send(body, type, source) {
      const mode = box.dataset.mode;
      const tok = await fetch(box.dataset.endpoint.replace(/\/(enroll|verify)$/, "/form-token") + "?kind=" +
                              (mode === "enroll" ? "capture" : "verify"));
      const token = (await tok.json()).token;
      const params = new URLSearchParams({ purpose: box.dataset.purpose });
      const headers = { "Content-Type": type || "application/octet-stream", "X-Form-Token": token,
                        "Accept": "application/json", "X-Capture-Source": source };
      if (mode === "enroll" && box.dataset.receipt) headers["X-Receipt-Code"] = box.dataset.receipt;
      if (box.dataset.refInput) params.set("subject_ref", document.querySelector(box.dataset.refInput).value.trim());
      const r = await fetch(box.dataset.endpoint + "?" + params, { method: "POST", body, headers });
      const data = await r.json();
      if (!r.ok) {
        const zh = data.detail_zh || data.detail, en = data.detail || "";
        show(root.dataset.lang === "en" ? en + " / " + zh : zh + " / " + en, false, data.code);
        return;
      }
      if (mode === "enroll") {
        show(box.dataset.tEnrolled, true, "enrolled");
        // The receipt stays until the guest moves on, so it can still be printed or scanned.
        const onward = document.getElementById("skip-capture");
        if (onward && box.dataset.tOnward) onward.textContent = box.dataset.tOnward;
      }
      else if (data.is_match) {
        show(box.dataset.tMatch, true, "match");
        // The match proves the reference: its one-time code goes into the consent form (issue 11 item 1).
        // The server keeps it in this guest's sealed flow; the consent step fills it in (issue 11 item 1).
        const ready = document.getElementById("claim-ready");
        if (ready && data.claim_code) ready.hidden = false;
      }
      else show(box.dataset.tNoMatch, false, "no_match");
      if (data.notice_changed) {  // M-5.4: the changed parts are told when the person next comes
        const link = document.createElement("a");
        link.href = box.dataset.endpoint.replace(/\/(enroll|verify)$/, "/notice") + "?lang=" + root.dataset.lang;
        link.textContent = root.dataset.lang === "en" ? data.notice_changed.message_en : data.notice_changed.message_zh;
        link.id = "notice-changed";
        result.append(" ", link);
      }
    }

    function pending() { result.textContent = "…"; result.className = "result"; result.dataset.code = ""; }

    const sendButton = box.querySelector(".send");  // absent where only the live camera may be used
    if (sendButton) sendButton.addEventListener("click", async () => {
      pending();
      const file = fileInput.files[0];
      if (!file) { show(box.dataset.tNoFile, false, "image_missing"); return; }
      try { await send(await file.arrayBuffer(), file.type, "upload"); } catch (e) { show(String(e), false, "network"); }
    });

    box.querySelector(".cam-start").addEventListener("click", async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: false });
        video.srcObject = stream;
        video.hidden = false;
        shot.hidden = false;
        await video.play();
      } catch (e) { show(String(e), false, "camera_unavailable"); }
    });

    shot.addEventListener("click", () => {
      pending();
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth; canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      canvas.toBlob(async (blob) => {
        if (stream) { stream.getTracks().forEach((tr) => tr.stop()); stream = null; video.hidden = true; shot.hidden = true; }
        try { await send(blob, "image/jpeg", "camera"); } catch (e) { show(String(e), false, "network"); }
      }, "image/jpeg", 0.92);
    });
  });
})();
