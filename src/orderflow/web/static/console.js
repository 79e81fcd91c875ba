/* The console's only script (the Content-Security-Policy allows no inline script):
   select-all boxes, selects that submit their form, the pack station's scan focus and
   beeps, and the print batch's progress. */
(function () {
  "use strict";

  document.addEventListener("click", function (e) {
    var all = e.target.closest && e.target.closest("[data-select-all]");
    if (!all) return;
    document.querySelectorAll(all.getAttribute("data-select-all")).forEach(function (box) {
      box.checked = all.checked;
    });
  });

  document.addEventListener("change", function (e) {
    var field = e.target.closest && e.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.submit();
  });

  function packStation() {
    var field = document.querySelector("[data-scan]");
    if (field) {
      field.focus();
      document.addEventListener("click", function (e) {
        if (!e.target.closest("input, select, textarea, button, a, label")) field.focus();
      });
    }
    var said = document.querySelector("[data-alarm]");
    if (!said || !(window.AudioContext || window.webkitAudioContext)) return;
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      var wrong = said.getAttribute("data-alarm") === "error";
      var beeps = wrong ? [0, 0.22, 0.44] : [0];
      beeps.forEach(function (at) {
        var osc = ctx.createOscillator(), gain = ctx.createGain();
        osc.type = wrong ? "square" : "sine";
        osc.frequency.value = wrong ? 220 : 1320;
        gain.gain.value = wrong ? 0.3 : 0.12;
        osc.connect(gain); gain.connect(ctx.destination);
        osc.start(ctx.currentTime + at); osc.stop(ctx.currentTime + at + (wrong ? 0.18 : 0.08));
      });
    } catch (err) { /* no sound device: the banner still shows */ }
  }

  function printBatch() {
    var batch = document.querySelector("[data-testid=batch][data-poll]");
    if (!batch) return;
    var states = {done: batch.getAttribute("data-label-done"),
                  failed: batch.getAttribute("data-label-failed")};
    function poll() {
      fetch(batch.getAttribute("data-poll"), {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          var bar = document.getElementById("bar");
          bar.max = s.total || 1; bar.value = s.done;
          document.getElementById("done").textContent = s.done;
          document.getElementById("total").textContent = s.total;
          if (s.state === "running") { setTimeout(poll, 400); return; }
          document.getElementById("state").textContent = states[s.state] || s.state;
          batch.dataset.state = s.state;
          if (s.state === "done") { document.getElementById("download").hidden = false; }
          if (s.error) { var e = document.getElementById("error"); e.textContent = s.error; e.hidden = false; }
          if (s.skipped && s.skipped.length) { location.reload(); }
        })
        .catch(function () { setTimeout(poll, 1000); });
    }
    poll();
  }

  function start() { packStation(); printBatch(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// New order: a pasted one-line address parsed on the server and shown back before saving
// (fills only the fields still empty).
const parseButton = document.getElementById("parse-address");
if (parseButton) parseButton.addEventListener("click", async () => {
  const form = document.querySelector("[data-testid=new-order]");
  const body = new URLSearchParams({
    csrf_token: form.csrf_token.value, address_text: form.address_text.value,
    country: form.country.value});
  const answer = await fetch("/orders/new/parse-address", {method: "POST", body,
    headers: {"Content-Type": "application/x-www-form-urlencoded"}, credentials: "same-origin"});
  const box = document.getElementById("parsed-address");
  box.innerHTML = await answer.text();
  const parsed = box.querySelector("[data-detail]");
  if (!parsed) return;
  for (const part of ["name", "phone", "province", "city", "district", "detail"]) {
    const value = parsed.dataset[part];
    if (value && form.elements[part] && !form.elements[part].value) form.elements[part].value = value;
  }
});
