/* Optional: "Show times in my time zone". The page is complete without it.
   The same rules as the server's formatter (bot/times.py, SPEC §4), in the reader's zone: the tz database's
   letters valid at each instant (from zones.json, never the browser's locale), `UTC+04:00` where it has
   none, the UTC part in parentheses, ranges that repeat a date or letters only when they change, and The
   Past's days regrouped in the reader's zone. Offsets come from Intl. */
(function () {
  "use strict";
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var place = document.getElementById("tz"), button = place && place.querySelector("button");
  var times = document.querySelectorAll("time[data-t]"), past = document.querySelector("[data-past] .days");
  if (!zone || !button || (!times.length && !past)) return;
  var twelve = document.documentElement.getAttribute("data-clock") === "12";
  var source = new URL(place.getAttribute("data-zones"), location.href).href, label = place.querySelector("span");
  var parts = new Intl.DateTimeFormat("en-US", {timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit"});
  var eras = [], shown = false, pageLabel = label.textContent, pastHTML = past ? past.innerHTML : "";
  var pageHTML = Array.prototype.map.call(times, function (el) { return el.innerHTML; });

  function pad(n, width) { return ("000" + n).slice(-(width || 2)); }
  function day(y, m, d) { return pad(y, 4) + "-" + pad(m) + "-" + pad(d); }
  function wall(ms) {  /* the reader's wall clock at instant ms, and its offset in minutes */
    var p = {};
    parts.formatToParts(new Date(ms)).forEach(function (x) { p[x.type] = +x.value; });
    var seconds = Math.floor(ms / 1000) * 1000, hour = p.hour % 24;
    var offset = Math.round((Date.UTC(p.year, p.month - 1, p.day, hour, p.minute, p.second) - seconds) / 60000);
    return {date: day(p.year, p.month, p.day), hour: hour, minute: p.minute, offset: offset};
  }
  function utc(ms) {
    var d = new Date(ms);
    return {date: day(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()), hour: d.getUTCHours(),
      minute: d.getUTCMinutes()};
  }
  function clock(w, hours) {
    if (hours === 12) return (w.hour % 12 || 12) + ":" + pad(w.minute) + (w.hour < 12 ? "am" : "pm");
    return pad(w.hour) + ":" + pad(w.minute);
  }
  function letters(ms, offset) {
    var mapping = {};
    eras.forEach(function (era) { if (era[0] === null || era[0] * 1000 <= ms) mapping = era[1]; });
    if (mapping[offset]) return mapping[offset];
    var a = Math.abs(offset);
    return "UTC" + (offset < 0 ? "-" : "+") + pad(Math.floor(a / 60)) + ":" + pad(a % 60);
  }
  function join(head, tail, bare) { return head + (bare ? "\u2013" : " \u2013 ") + tail; }
  function utcPart(start, end, localDay) {
    var first = utc(start), last = end === null ? first : utc(end), spans = last.date !== first.date;
    var head = (spans || first.date !== localDay ? first.date + " " : "") + clock(first, 24);
    if (end === null) return "(" + head + " UTC)";
    return "(" + join(head, (spans ? last.date + " " : "") + clock(last, 24), !spans) + " UTC)";
  }
  function instant(ms) {
    var w = wall(ms), abbr = letters(ms, w.offset), text = w.date + " " + clock(w, twelve ? 12 : 24) + " " + abbr;
    return abbr === "UTC" ? text : text + " " + utcPart(ms, null, w.date);
  }
  function range(start, end) {
    var a = wall(start), b = wall(end), la = letters(start, a.offset), lb = letters(end, b.offset);
    var sameLetters = la === lb, sameDay = a.date === b.date, hours = twelve ? 12 : 24;
    var head = a.date + " " + clock(a, hours) + (sameLetters ? "" : " " + la);
    var text = join(head, (sameDay ? "" : b.date + " ") + clock(b, hours), sameLetters && sameDay) + " " + lb;
    return la === "UTC" && lb === "UTC" ? text : text + " " + utcPart(start, end, a.date);
  }
  function reading(el) {
    var start = Date.parse(el.getAttribute("datetime")), end = el.getAttribute("data-end");
    if (end) return range(start, Date.parse(end));
    return (el.hasAttribute("data-since") ? "since " : "") + instant(start);
  }
  function fill(el, text) {  /* as _macros.html.j2 `units`: a date with its time never breaks over a line */
    var units = [];
    text.split(" ").forEach(function (word) {
      if (units.length && /^\(?\d{4}-\d{2}-\d{2}$/.test(units[units.length - 1])) units[units.length - 1] += " " + word;
      else units.push(word);
    });
    el.textContent = "";
    units.forEach(function (unit, i) {
      if (i) el.appendChild(document.createTextNode(" "));
      if (!/[ \-\u2013]/.test(unit)) { el.appendChild(document.createTextNode(unit)); return; }
      var span = el.appendChild(document.createElement("span"));
      span.className = "nb";
      span.textContent = unit;
    });
  }
  function regroup() {  /* The Past's days in the reader's zone, as the server would group them there */
    var section = past.parentNode, entries = past.querySelectorAll("li[data-day]"), groups = {};
    var count = +section.getAttribute("data-days"), today = wall(Date.parse(section.getAttribute("data-now")));
    Array.prototype.forEach.call(entries, function (li) {
      var key = wall(Date.parse(li.getAttribute("data-day"))).date;
      (groups[key] = groups[key] || []).push(li);
    });
    var fresh = document.createDocumentFragment(), ymd = today.date.split("-").map(Number), run = null;
    function stamp(key) { var t = document.createElement("time"); t.setAttribute("datetime", key); t.textContent = key; return t; }
    for (var n = 0; n < count; n++) {
      var d = new Date(Date.UTC(ymd[0], ymd[1] - 1, ymd[2] - n)), key = day(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
      if (groups[key]) {  /* a day with incidents: its heading and list */
        run = null;
        var heading = fresh.appendChild(document.createElement("h3")), list = fresh.appendChild(document.createElement("ul"));
        heading.className = "day";
        heading.appendChild(stamp(key));
        list.className = "entries";
        groups[key].forEach(function (li) { list.appendChild(li); });
      } else if (!run) {  /* empty days in a row are one line: "No incidents OLDEST – NEWEST" */
        run = fresh.appendChild(document.createElement("p"));
        run.className = "none";
        run.appendChild(document.createTextNode(section.getAttribute("data-none") + " "));
        run.appendChild(stamp(key));
      } else if (run.querySelectorAll("time").length === 1) {
        run.insertBefore(document.createTextNode(" \u2013 "), run.lastChild);
        run.insertBefore(stamp(key), run.childNodes[1]);
      } else {
        run.replaceChild(stamp(key), run.childNodes[1]);
      }
    }
    past.textContent = "";
    past.appendChild(fresh);
  }
  function show(on) {
    shown = on;
    if (past && !on) past.innerHTML = pastHTML;
    times = document.querySelectorAll("time[data-t]");  /* document order, as pageHTML was read */
    Array.prototype.forEach.call(times, function (el, i) {
      if (on) { el.title = el.textContent; fill(el, reading(el)); }
      else { el.innerHTML = pageHTML[i]; el.removeAttribute("title"); }
    });
    if (past && on) regroup();
    button.textContent = button.getAttribute(on ? "data-on" : "data-off");
    button.setAttribute("aria-pressed", on ? "true" : "false");
    label.textContent = on ? "Times in " + zone : pageLabel;
    try { localStorage.setItem("herald-local-times", on ? "1" : ""); } catch (e) { /* private mode */ }
  }
  function withZones(then) {  /* the reader's zone's letters: remembered, or fetched once */
    var key = "herald-zone:" + source + ":" + zone, kept = null;
    try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { /* private mode */ }
    if (kept) { eras = kept; then(); return; }
    fetch(source).then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; })
      .then(function (data) {  /* unreachable: every zone reads as its offset, and nothing is kept */
        var found = data ? data.zones[zone] : null;
        eras = (typeof found === "string" ? data.zones[found] : found) || [];
        if (data) try { localStorage.setItem(key, JSON.stringify(eras)); } catch (e) { /* private mode */ }
        then();
      });
  }
  button.addEventListener("click", function () {
    if (shown) show(false);
    else withZones(function () { show(true); });
  });
  place.className += " live";
  var saved = "";
  try { saved = localStorage.getItem("herald-local-times") || ""; } catch (e) { /* private mode */ }
  if (saved === "1") withZones(function () { show(true); });
})();
