// Kiosk behaviour: accessibility modes, read-aloud, the under-14 switch, and capture.
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

    async function send(body, type) {
      const mode = box.dataset.mode;
      const tok = await fetch(box.dataset.endpoint.replace(/\/(enroll|verify)$/, "/form-token") + "?kind=" +
                              (mode === "enroll" ? "capture" : "verify"));
      const token = (await tok.json()).token;
      const params = new URLSearchParams({ purpose: box.dataset.purpose });
      const headers = { "Content-Type": type || "application/octet-stream", "X-Form-Token": token,
                        "Accept": "application/json" };
      if (mode === "enroll") headers["X-Receipt-Code"] = box.dataset.receipt;
      if (box.dataset.refInput) params.set("subject_ref", document.querySelector(box.dataset.refInput).value.trim());
      const r = await fetch(box.dataset.endpoint + "?" + params, { method: "POST", body, headers });
      const data = await r.json();
      if (!r.ok) {
        const zh = data.detail_zh || data.detail, en = data.detail || "";
        show(root.dataset.lang === "en" ? en + " / " + zh : zh + " / " + en, false, data.code);
        return;
      }
      if (mode === "enroll") show(box.dataset.tEnrolled, true, "enrolled");
      else if (data.is_match) {
        show(box.dataset.tMatch, true, "match");
        // The match proves the reference: its one-time code goes into the consent form (issue 11 item 1).
        const claim = document.getElementById("claim_code"), ready = document.getElementById("claim-ready");
        if (claim && data.claim_code) {
          claim.value = data.claim_code;
          document.getElementById("subject_ref").value = params.get("subject_ref");
          if (ready) ready.hidden = false;
        }
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

    box.querySelector(".send").addEventListener("click", async () => {
      pending();
      const file = fileInput.files[0];
      if (!file) { show(box.dataset.tNoFile, false, "image_missing"); return; }
      try { await send(await file.arrayBuffer(), file.type); } catch (e) { show(String(e), false, "network"); }
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
        try { await send(blob, "image/jpeg"); } catch (e) { show(String(e), false, "network"); }
      }, "image/jpeg", 0.92);
    });
  });
})();
