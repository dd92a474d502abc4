/* Optional: "Show times in my time zone". The page is complete without it. */
(function () {
  "use strict";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var place = document.getElementById("tz");
  var times = document.querySelectorAll("time[data-t]");
  if (!zone || !place || !times.length) return;
  var twelve = document.documentElement.getAttribute("data-clock") === "12";
  var fmt = new Intl.DateTimeFormat(undefined, {timeZone: zone, numberingSystem: "latn", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "numeric", minute: "2-digit", hourCycle: twelve ? "h12" : "h23", timeZoneName: "short"});
  function parts(iso) {
    var out = {};
    fmt.formatToParts(new Date(iso)).forEach(function (p) { out[p.type] = p.value; });
    var offset = /^GMT([+-])(\d{1,2})(?::(\d\d))?$/.exec(out.timeZoneName || "");
    if (offset) out.timeZoneName = "UTC" + offset[1] + ("0" + offset[2]).slice(-2) + ":" + (offset[3] || "00");
    out.date = out.year + "-" + out.month + "-" + out.day;
    var hour = twelve ? out.hour : ("0" + out.hour).slice(-2);
    out.time = hour + ":" + out.minute + (twelve ? (out.dayPeriod || "").toLowerCase() : "");
    return out;
  }
  function local(el) {
    var a = parts(el.getAttribute("datetime")), end = el.getAttribute("data-end");
    if (!end) return (el.hasAttribute("data-since") ? "since " : "") + a.date + " " + a.time + " " + a.timeZoneName;
    var b = parts(end), sameDay = a.date === b.date, sameZone = a.timeZoneName === b.timeZoneName;
    var head = a.date + " " + a.time + (sameZone ? "" : " " + a.timeZoneName);
    var tail = (sameDay ? "" : b.date + " ") + b.time;
    return head + (sameDay && sameZone ? "\u2013" : " \u2013 ") + tail + " " + b.timeZoneName;
  }
  var button = document.createElement("button"), shown = false;
  button.type = "button";
  function show(on) {
    shown = on;
    Array.prototype.forEach.call(times, function (el) {
      if (!el.hasAttribute("data-page")) el.setAttribute("data-page", el.textContent);
      el.textContent = on ? local(el) : el.getAttribute("data-page");
      el.title = on ? el.getAttribute("data-page") : "";
    });
    button.textContent = on ? "Show page times" : "Show times in my time zone";
    button.setAttribute("aria-pressed", on ? "true" : "false");
    place.firstChild.textContent = on ? "Times in " + zone + " " : place.getAttribute("data-text");
    try { localStorage.setItem("herald-local-times", on ? "1" : ""); } catch (e) { /* private mode */ }
  }
  place.setAttribute("data-text", place.firstChild.textContent);
  button.addEventListener("click", function () { show(!shown); });
  place.appendChild(button);
  var saved = "";
  try { saved = localStorage.getItem("herald-local-times") || ""; } catch (e) { /* private mode */ }
  show(saved === "1");
})();
