/* Cuepress: a transcript download the site does not write as a file (site.yaml's
   transcript_files), made from one it does (the JSON or the WebVTT), byte for byte as
   generator/transcripts/exports.py writes it; tests/test_transcript_files.py holds the two
   together in Chromium. assets/downloads.js loads this module when a listener asks for one. */
const pad = (n, width) => String(n).padStart(width, "0");
const fraction = ms => (ms % 1000 ? ("." + pad(ms % 1000, 3)).replace(/0+$/, "") : "");
const seconds = ms => Math.floor(ms / 1000) + fraction(ms);
const stamp = ms => {
  const s = Math.floor(ms / 1000);
  return `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}.${pad(ms % 1000, 3)}`;
};
const clock = ms => {
  const s = Math.floor(ms / 1000), hours = Math.floor(s / 3600), minutes = Math.floor(s / 60) % 60;
  return `${hours ? hours + ":" + pad(minutes, 2) : minutes}:${pad(s % 60, 2)}`;
};
const escape = text => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const unescape = text => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/* The segments, [start ms, end ms, speaker or "", text, anchor], of the file the site built. */
const read = (data, json) => {
  if (!json) {
    return data.split("\n\n").slice(1).map(block => {
      const [anchor, times, ...lines] = block.replace(/\n$/, "").split("\n");
      const t = times.match(/\d+/g).map(Number);
      const voice = /^<v ([^>]*)>/.exec(lines[0]) || ["", ""];
      lines[0] = lines[0].slice(voice[0].length);
      return [((t[0] * 60 + t[1]) * 60 + t[2]) * 1000 + t[3], ((t[4] * 60 + t[5]) * 60 + t[6]) * 1000 + t[7],
        unescape(voice[1]), unescape(lines.join("\n")), anchor];
    });
  }
  const taken = new Set();  /* anchors as timecodes.make_anchors gives them */
  return JSON.parse(data).segments.map(s => {
    const start = Math.round(s.startTime * 1000);
    let value = start - start % 1000;
    for (const step of [100, 10, 1]) {
      if (!taken.has(value)) break;
      value = start - start % step;
    }
    while (taken.has(value)) value++;
    taken.add(value);
    return [start, Math.round(s.endTime * 1000), s.speaker || "", s.body, "t=" + seconds(value)];
  });
};

/* SRT and text name the speaker where it changes. */
const named = (segments, line) => {
  let previous = "";
  return segments.map(([start, end, speaker, text], index) => {
    const said = speaker && speaker !== previous ? `${speaker}: ${text}` : text;
    previous = speaker;
    return line(start, end, said, index + 1);
  }).join("");
};
const write = {
  vtt: segments => "WEBVTT\n" + segments.map(([start, end, speaker, text, anchor]) =>
    `\n${anchor}\n${stamp(start)} --> ${stamp(end)}\n${speaker ? `<v ${escape(speaker)}>` : ""}${escape(text)}\n`).join(""),
  srt: segments => named(segments, (start, end, said, number) =>
    `${number}\n${stamp(start)} --> ${stamp(end)}`.replace(/\./g, ",") + `\n${said}\n\n`),
  txt: segments => named(segments, (start, end, said) => `${clock(start)}${fraction(start)} ${said}\n`),
  json: segments => '{"version":"1.0.0","segments":[' + segments.map(([start, end, speaker, text]) =>
    `{${speaker ? `"speaker":${JSON.stringify(speaker)},` : ""}"startTime":${seconds(start)},"endTime":${seconds(end)},"body":${JSON.stringify(text)}}`).join(",") + "]}\n",
};

/** The download named `name` (transcript.srt ...) made of `data`, the file at `from`. */
export const make = (data, from, name) =>
  write[name.split(".").pop()](read(data, from.endsWith(".json")));
