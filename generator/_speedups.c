/* Cuepress's speedups: the two loops that run once for every cue of an archive, in C.
 *
 * Optional, as MarkupSafe's and PyYAML's are: pyproject.toml builds this module when a C
 * compiler is at hand, and the package falls back to its Python code when the module is missing
 * (or when CUEPRESS_NO_SPEEDUPS is set). Each function here has a Python twin that is the
 * reference: generator/transcripts/exports.py (render_all), generator/transcripts/vtt.py
 * (_parse_plain) and generator/transcripts/cues.py (_normalise_plain). The tests hold each function to its twin, byte for byte, on the test
 * transcripts and on random ones. A function that meets anything unusual returns None, and the
 * caller takes the Python path; so this file only ever has to cover the common case.
 *
 * Everything is done on UTF-8: text in, bytes out, Python strings at the edges.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#ifndef _WIN32
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

/* ---------------------------------------------------------------- output buffers */

typedef struct {
    char *data;
    Py_ssize_t len;
    Py_ssize_t cap;
} Buf;

/* Make room for `need` more bytes; writers then write without checking. */
static int
reserve(Buf *b, Py_ssize_t need)
{
    if (b->len + need <= b->cap) {
        return 0;
    }
    Py_ssize_t cap = b->cap ? b->cap : 8192;
    while (cap < b->len + need) {
        if (cap > PY_SSIZE_T_MAX / 2) {
            PyErr_NoMemory();
            return -1;
        }
        cap *= 2;
    }
    char *data = PyMem_Realloc(b->data, (size_t)cap);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

static inline char *
put(char *p, const char *s, Py_ssize_t n)
{
    memcpy(p, s, (size_t)n);
    return p + n;
}

#define PUT(p, literal) put((p), (literal), (Py_ssize_t)sizeof(literal) - 1)

/* A non-negative integer in decimal. */
static inline char *
put_int(char *p, long long v)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        *p++ = digits[--n];
    }
    return p;
}

static inline char *
put_two(char *p, long long v)
{
    *p++ = (char)('0' + v / 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

static inline char *
put_three(char *p, long long v)
{
    *p++ = (char)('0' + v / 100);
    *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

/* HH:MM:SS, as WebVTT and SRT write a whole second (two or more digits of hours). */
static inline char *
put_stamp(char *p, long long whole)
{
    long long hours = whole / 3600, rest = whole % 3600;
    if (hours < 10) {
        *p++ = '0';
    }
    p = put_int(p, hours);
    *p++ = ':';
    p = put_two(p, rest / 60);
    *p++ = ':';
    return put_two(p, rest % 60);
}

/* 1:23 or 1:02:03, as a listener reads a whole second (timecodes.clock). */
static inline char *
put_label(char *p, long long whole)
{
    long long hours = whole / 3600, rest = whole % 3600;
    if (hours) {
        p = put_int(p, hours);
        *p++ = ':';
        p = put_two(p, rest / 60);
    }
    else {
        p = put_int(p, rest / 60);
    }
    *p++ = ':';
    return put_two(p, rest % 60);
}

/* The fraction of a second, shortest: "" for 0, ".5" for 500, ".25" for 250, ".125". */
static inline char *
put_fraction(char *p, long long millis)
{
    if (!millis) {
        return p;
    }
    *p++ = '.';
    *p++ = (char)('0' + millis / 100);
    if (millis % 100) {
        *p++ = (char)('0' + millis / 10 % 10);
        if (millis % 10) {
            *p++ = (char)('0' + millis % 10);
        }
    }
    return p;
}

/* Bytes that escaping changes: 1 for & < > (HTML), 2 for " and ' (HTML with quotes), 4 for
   what JSON escapes (", \ and control characters). */
static unsigned char SPECIAL[256];

static void
init_special(void)
{
    SPECIAL['&'] |= 1;
    SPECIAL['<'] |= 1;
    SPECIAL['>'] |= 1;
    SPECIAL['"'] |= 2 | 4;
    SPECIAL['\''] |= 2;
    SPECIAL['\\'] |= 4;
    for (int c = 0; c < 0x20; c++) {
        SPECIAL[c] |= 4;
    }
}

/* Text escaped for HTML: & < > always, " and ' too with `quote` (html.escape). */
static inline char *
put_escaped(char *p, const char *s, Py_ssize_t n, int quote)
{
    const unsigned char mask = quote ? 3 : 1;
    Py_ssize_t run = 0; /* the start of the bytes not yet copied */
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(SPECIAL[c] & mask)) {
            continue;
        }
        p = put(p, s + run, i - run);
        run = i + 1;
        switch (c) {
            case '&':
                p = PUT(p, "&amp;");
                break;
            case '<':
                p = PUT(p, "&lt;");
                break;
            case '>':
                p = PUT(p, "&gt;");
                break;
            case '"':
                p = PUT(p, "&quot;");
                break;
            default:
                p = PUT(p, "&#x27;");
        }
    }
    return put(p, s + run, n - run);
}

/* Text as a JSON string, as json.encoder.encode_basestring writes it (non-ASCII kept). */
static inline char *
put_json(char *p, const char *s, Py_ssize_t n)
{
    static const char hex[] = "0123456789abcdef";
    Py_ssize_t run = 0;
    *p++ = '"';
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(SPECIAL[c] & 4)) {
            continue;
        }
        p = put(p, s + run, i - run);
        run = i + 1;
        *p++ = '\\';
        switch (c) {
            case '"':
                *p++ = '"';
                break;
            case '\\':
                *p++ = '\\';
                break;
            case '\n':
                *p++ = 'n';
                break;
            case '\r':
                *p++ = 'r';
                break;
            case '\t':
                *p++ = 't';
                break;
            case '\b':
                *p++ = 'b';
                break;
            case '\f':
                *p++ = 'f';
                break;
            default:
                p = PUT(p, "u00");
                *p++ = hex[c >> 4];
                *p++ = hex[c & 15];
        }
    }
    p = put(p, s + run, n - run);
    *p++ = '"';
    return p;
}

/* ---------------------------------------------------------------- render_all */

/* Milliseconds above this are left to Python (about 31,000 years: no episode is this long). */
#define MAX_MS 1000000000000000LL

static int
get_ms(PyObject *value, long long *out)
{
    if (!PyLong_CheckExact(value)) {
        return 0;
    }
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (overflow || v < 0 || v > MAX_MS) {
        if (v == -1 && PyErr_Occurred()) {
            PyErr_Clear();
        }
        return 0;
    }
    *out = v;
    return 1;
}

/* A str's UTF-8, or 0 (with no error set) for anything else: a str holding lone surrogates,
   which UTF-8 cannot hold, is left to the Python path. */
static int
get_utf8(PyObject *value, const char **s, Py_ssize_t *n)
{
    if (!PyUnicode_CheckExact(value)) {
        return 0;
    }
    *s = PyUnicode_AsUTF8AndSize(value, n);
    if (*s == NULL) {
        PyErr_Clear();
        return 0;
    }
    return 1;
}

/* Whether two speakers (str or None) are the same name. */
static int
same_speaker(PyObject *a, PyObject *b)
{
    if (a == b) {
        return 1;
    }
    if (a == Py_None || b == Py_None) {
        return 0;
    }
    return PyUnicode_Compare(a, b) == 0;
}

typedef struct {
    Buf html, vtt, srt, txt, json;
} Forms;

/* The buffers are kept from one call to the next (the GIL is held throughout): a transcript's
   forms take about 600 kB, and memory fresh from the system costs a page fault per 4 kB, which
   came to half the time of a call. */
static Forms scratch;

static void
forms_reset(Forms *f)
{
    f->html.len = f->vtt.len = f->srt.len = f->txt.len = f->json.len = 0;
}

/* The largest number of bytes a number, a stamp or a label takes here. */
#define NUMBER 24

PyDoc_STRVAR(render_all_doc,
"render_all(segments, finishes, headings) -> (html, vtt, srt, txt, json) | None\n\n"
"The five forms of a transcript, exactly as generator.transcripts.exports.render_all makes\n"
"them (the page's markup as str, the four downloads as UTF-8 bytes): `segments` are the transcript's Segment tuples, `finishes` each one's end in\n"
"milliseconds, `headings` (index, heading markup) pairs in index order, each to go before the\n"
"segment of that index. None for anything this does not cover (the caller then uses Python).");

static PyObject *
render_all(PyObject *module, PyObject *args)
{
    PyObject *segments, *finishes, *headings;
    if (!PyArg_ParseTuple(args, "O!O!O!:render_all", &PyTuple_Type, &segments, &PyList_Type,
                          &finishes, &PyList_Type, &headings)) {
        return NULL;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(segments);
    if (PyList_GET_SIZE(finishes) != count) {
        PyErr_SetString(PyExc_ValueError, "one finish for each segment");
        return NULL;
    }
    Forms f = scratch;
    forms_reset(&f);
    PyObject *result = NULL;
    PyObject *previous = Py_None; /* the speaker of the segment before (SRT, text) */
    PyObject *shown = Py_None;    /* the speaker last named on the page */
    Py_ssize_t next_heading = 0, headings_count = PyList_GET_SIZE(headings);

    if (reserve(&f.vtt, 7) < 0 || reserve(&f.json, 64) < 0) {
        goto done;
    }
    f.vtt.len = PUT(f.vtt.data, "WEBVTT\n") - f.vtt.data;
    f.json.len = PUT(f.json.data, "{\"version\":\"1.0.0\",\"segments\":[") - f.json.data;

    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *segment = PyTuple_GET_ITEM(segments, i);
        if (!PyTuple_Check(segment) || PyTuple_GET_SIZE(segment) != 6) {
            goto decline;
        }
        long long start, end;
        const char *text, *anchor, *speaker = NULL;
        Py_ssize_t text_n, anchor_n, speaker_n = 0;
        PyObject *who = PyTuple_GET_ITEM(segment, 3);
        if (!get_ms(PyTuple_GET_ITEM(segment, 0), &start) ||
            !get_ms(PyList_GET_ITEM(finishes, i), &end) ||
            !get_utf8(PyTuple_GET_ITEM(segment, 2), &text, &text_n) ||
            !get_utf8(PyTuple_GET_ITEM(segment, 4), &anchor, &anchor_n)) {
            goto decline;
        }
        if (who != Py_None && !get_utf8(who, &speaker, &speaker_n)) {
            goto decline;
        }

        /* Chapter headings that go before this segment; the page names the speaker again. */
        while (next_heading < headings_count) {
            PyObject *pair = PyList_GET_ITEM(headings, next_heading);
            if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
                goto decline;
            }
            Py_ssize_t at = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 0));
            if (at == -1 && PyErr_Occurred()) {
                goto done;
            }
            if (at != i) {
                if (at < i) {
                    goto decline;
                }
                break;
            }
            const char *heading;
            Py_ssize_t heading_n;
            if (!get_utf8(PyTuple_GET_ITEM(pair, 1), &heading, &heading_n) ||
                reserve(&f.html, heading_n) < 0) {
                if (PyErr_Occurred()) {
                    goto done;
                }
                goto decline;
            }
            f.html.len = put(f.html.data + f.html.len, heading, heading_n) - f.html.data;
            shown = Py_None;
            next_heading++;
        }

        long long whole = start / 1000, millis = start % 1000;
        long long end_whole = end / 1000, end_millis = end % 1000;
        int named = who != Py_None && !same_speaker(who, previous);
        int voiced = who != Py_None && speaker_n > 0;
        int introduce = who != Py_None && !same_speaker(who, shown);
        /* Escaping makes a byte at most 6 bytes (&quot;, \u001f). */
        Py_ssize_t words = 6 * (text_n + speaker_n) + 2 * anchor_n + 8 * NUMBER + 128;
        if (reserve(&f.html, words) < 0 || reserve(&f.vtt, words) < 0 ||
            reserve(&f.srt, words) < 0 || reserve(&f.txt, words) < 0 ||
            reserve(&f.json, words) < 0) {
            goto done;
        }

        /* The page: the speaker's name where it changes, then the segment's paragraph. */
        char *p = f.html.data + f.html.len;
        if (introduce) {
            p = PUT(p, "<p class=\"speaker\">");
            p = put_escaped(p, speaker, speaker_n, 1);
            p = PUT(p, "</p>\n");
        }
        p = PUT(p, "<p class=\"seg\" id=\"");
        p = put(p, anchor, anchor_n);
        p = PUT(p, "\" data-t=\"");
        p = put_fraction(put_int(p, whole), millis);
        p = PUT(p, "\"><a class=\"ts\" href=\"#");
        p = put(p, anchor, anchor_n);
        p = PUT(p, "\">");
        p = put_label(p, whole);
        p = PUT(p, "</a> <span class=\"text\">");
        p = put_escaped(p, text, text_n, 0);
        p = PUT(p, "</span></p>\n");
        f.html.len = p - f.html.data;

        /* WebVTT: the anchor as the cue's id, the speaker as a voice tag. */
        p = f.vtt.data + f.vtt.len;
        *p++ = '\n';
        p = put(p, anchor, anchor_n);
        *p++ = '\n';
        char *times = p;
        p = put_three(put_stamp(p, whole) + 1, millis);
        Py_ssize_t dot = p - times - 4;
        times[dot] = '.';
        p = PUT(p, " --> ");
        char *second = p;
        p = put_three(put_stamp(p, end_whole) + 1, end_millis);
        second[p - second - 4] = '.';
        Py_ssize_t times_n = p - times;
        *p++ = '\n';
        if (voiced) {
            p = PUT(p, "<v ");
            p = put_escaped(p, speaker, speaker_n, 0);
            *p++ = '>';
        }
        p = put_escaped(p, text, text_n, 0);
        *p++ = '\n';
        f.vtt.len = p - f.vtt.data;

        /* SRT: numbered from 1, a comma before the milliseconds, "Speaker: " where it changes. */
        p = put_int(f.srt.data + f.srt.len, i + 1);
        *p++ = '\n';
        char *comma = p;
        p = put(p, times, times_n);
        comma[dot] = ',';
        comma[times_n - 4] = ',';
        *p++ = '\n';
        if (named) {
            p = put(p, speaker, speaker_n);
            p = PUT(p, ": ");
        }
        p = put(p, text, text_n);
        p = PUT(p, "\n\n");
        f.srt.len = p - f.srt.data;

        /* Plain text: the time as a listener reads it, "Speaker: " where it changes. */
        p = put_fraction(put_label(f.txt.data + f.txt.len, whole), millis);
        *p++ = ' ';
        if (named) {
            p = put(p, speaker, speaker_n);
            p = PUT(p, ": ");
        }
        p = put(p, text, text_n);
        *p++ = '\n';
        f.txt.len = p - f.txt.data;

        /* Podcast Index JSON. */
        p = f.json.data + f.json.len;
        if (i) {
            *p++ = ',';
        }
        *p++ = '{';
        if (voiced) {
            p = PUT(p, "\"speaker\":");
            p = put_json(p, speaker, speaker_n);
            *p++ = ',';
        }
        p = PUT(p, "\"startTime\":");
        p = put_fraction(put_int(p, whole), millis);
        p = PUT(p, ",\"endTime\":");
        p = put_fraction(put_int(p, end_whole), end_millis);
        p = PUT(p, ",\"body\":");
        p = put_json(p, text, text_n);
        *p++ = '}';
        f.json.len = p - f.json.data;

        previous = shown = who;
    }
    if (next_heading != headings_count) {
        goto decline; /* a heading past the last segment: the caller drops those */
    }
    if (reserve(&f.json, 4) < 0) {
        goto done;
    }
    f.json.len = PUT(f.json.data + f.json.len, "]}\n") - f.json.data;
    result = Py_BuildValue("(s#y#y#y#y#)", f.html.data ? f.html.data : "", f.html.len,
                           f.vtt.data, f.vtt.len, f.srt.data ? f.srt.data : "", f.srt.len,
                           f.txt.data ? f.txt.data : "", f.txt.len, f.json.data, f.json.len);
    goto done;
decline:
    result = Py_NewRef(Py_None);
done:
    scratch = f; /* with what it grew to */
    return result;
}

/* ---------------------------------------------------------------- parse_vtt */

/* The reader works on the file's UTF-8, where a newline, a digit, a space or "-->" is one byte
   each and never part of another character: so each test below means on bytes what the Python
   reader's regular expression means on characters. */

static inline int
digits(const char *s, int n)
{
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return 1;
}

#define DIGIT(c) ((long long)((c) - '0'))

/* "HH:MM:SS.mmm" at s (12 bytes, exactly two digits of hours), in milliseconds; -1 if it is
   not one, or its minutes or seconds are above 59 (the Python reader's tables have none). */
static long long
stamp_at(const char *s)
{
    if (!digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) || s[5] != ':' || !digits(s + 6, 2) ||
        s[8] != '.' || !digits(s + 9, 3)) {
        return -1;
    }
    long long minutes = DIGIT(s[3]) * 10 + DIGIT(s[4]), seconds = DIGIT(s[6]) * 10 + DIGIT(s[7]);
    if (minutes > 59 || seconds > 59) {
        return -1;
    }
    return ((DIGIT(s[0]) * 10 + DIGIT(s[1])) * 3600 + minutes * 60 + seconds) * 1000 +
           DIGIT(s[9]) * 100 + DIGIT(s[10]) * 10 + DIGIT(s[11]);
}

/* Whether a timing line in the common form starts at s ("HH:MM:SS.mmm --> HH:MM:SS.mmm",
   then settings after a space or tab, then a newline); its times, and the end of the line
   (past the newline). */
static int
timing_at(const char *s, const char *end, long long *start, long long *stop, const char **next)
{
    if (end - s < 30 || memcmp(s + 12, " --> ", 5) != 0) {
        return 0;
    }
    *start = stamp_at(s);
    *stop = stamp_at(s + 17);
    if (*start < 0 || *stop < 0) {
        return 0;
    }
    const char *p = s + 29;
    if (*p == ' ' || *p == '\t') {
        const char *newline = memchr(p, '\n', (size_t)(end - p));
        if (newline == NULL) {
            return 0;
        }
        p = newline;
    }
    if (*p != '\n') {
        return 0;
    }
    *next = p + 1;
    return 1;
}

/* Whether the UTF-8 text s[0:n] reads the same through str.strip() as through the cue text
   reader's " ".join(split()): no '<', '&' or double space, and every character printable
   (str.isprintable: no line break, tab or other space than ' '). Then its only whitespace is
   single spaces, and stripping means trimming spaces. */
static int
plain_text(const char *s, Py_ssize_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = u[i];
        if (c < 0x80) {
            if (c == '<' || c == '&' || c < 0x20 || c == 0x7F ||
                (c == ' ' && i + 1 < n && u[i + 1] == ' ')) {
                return 0;
            }
            continue;
        }
        Py_UCS4 point; /* a character beyond ASCII: decoded (the text is valid UTF-8) */
        int width = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (i + width > n) {
            return 0;
        }
        point = width == 2 ? (Py_UCS4)(c & 0x1F) : width == 3 ? (Py_UCS4)(c & 0x0F)
                                                               : (Py_UCS4)(c & 0x07);
        for (int k = 1; k < width; k++) {
            point = (point << 6) | (u[i + k] & 0x3F);
        }
        if (!Py_UNICODE_ISPRINTABLE(point)) {
            return 0;
        }
        i += width - 1;
    }
    return 1;
}

/* A Cue (a named tuple: start_ms, end_ms, text, speaker, line), taking the references. */
static PyObject *
make_cue(PyTypeObject *type, long long start, long long stop, PyObject *text, PyObject *speaker,
         Py_ssize_t line)
{
    PyObject *begin = PyLong_FromLongLong(start);
    PyObject *end = PyLong_FromLongLong(stop);
    PyObject *at = PyLong_FromSsize_t(line);
    PyObject *cue = NULL;
    if (begin && end && at && text && speaker) {
        cue = type->tp_alloc(type, 5);
    }
    if (cue == NULL) {
        Py_XDECREF(begin);
        Py_XDECREF(end);
        Py_XDECREF(at);
        Py_XDECREF(text);
        Py_XDECREF(speaker);
        return NULL;
    }
    PyTuple_SET_ITEM(cue, 0, begin);
    PyTuple_SET_ITEM(cue, 1, end);
    PyTuple_SET_ITEM(cue, 2, text);
    PyTuple_SET_ITEM(cue, 3, speaker);
    PyTuple_SET_ITEM(cue, 4, at);
    return cue;
}

/* The count of "-->" in s[0:n]. */
static Py_ssize_t
arrows(const char *s, Py_ssize_t n)
{
    Py_ssize_t count = 0;
    const char *p = s, *end = s + n;
    while (end - p >= 3 && (p = memchr(p, '-', (size_t)(end - p - 2))) != NULL) {
        if (p[1] == '-' && p[2] == '>') {
            count++;
            p += 3;
        }
        else {
            p++;
        }
    }
    return count;
}

PyDoc_STRVAR(parse_vtt_doc,
"parse_vtt(text, cue, cue_text) -> list[cue] | None\n\n"
"The cues of a WebVTT file made only of a header and cues in the common form, exactly as\n"
"generator.transcripts.vtt._parse_plain reads them, else None. `cue` is the Cue class, and\n"
"`cue_text` the function that reads a cue's text holding tags, entities, line breaks or\n"
"double spaces (it returns speaker and words).");

static PyObject *
parse_vtt(PyObject *module, PyObject *args)
{
    PyObject *text, *cue_text;
    PyTypeObject *cue_type;
    if (!PyArg_ParseTuple(args, "UO!O:parse_vtt", &text, &PyType_Type, &cue_type, &cue_text)) {
        return NULL;
    }
    if (!PyType_IsSubtype(cue_type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "cue must be a named tuple class");
        return NULL;
    }
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(text, &n);
    if (s == NULL) { /* lone surrogates: the Python reader reads what UTF-8 cannot hold */
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    const char *end = s + n;
    /* The header: up to the first blank line, without an arrow. */
    const char *head_end = NULL;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++) {
        if (p + 1 < end && p[1] == '\n') {
            head_end = p + 1; /* the second newline: the first cue's gap starts there */
            break;
        }
    }
    if (head_end == NULL || arrows(s, head_end - 1 - s) != 0) {
        Py_RETURN_NONE;
    }
    Py_ssize_t line = 1;
    for (const char *p = s; p < head_end && (p = memchr(p, '\n', (size_t)(head_end - p))); p++) {
        line++;
    }
    PyObject *cues = PyList_New(0);
    if (cues == NULL) {
        return NULL;
    }
    const char *p = head_end;
    for (;;) {
        /* Blank lines: one or more newlines; only newlines to the end is the end. */
        const char *q = p;
        while (q < end && *q == '\n') {
            q++;
        }
        if (q == end) {
            break;
        }
        if (q == p) {
            goto decline; /* text right after a cue's text: not a cue's start */
        }
        line += q - p;
        /* An identifier line, if the line after it is a timing; else the timing itself. */
        long long start, stop;
        const char *body;
        const char *newline = memchr(q, '\n', (size_t)(end - q));
        if (newline != NULL && timing_at(newline + 1, end, &start, &stop, &body)) {
            line++;
        }
        else if (!timing_at(q, end, &start, &stop, &body)) {
            goto decline;
        }
        /* The text: lines up to a blank line or the end. */
        const char *stop_at = body;
        Py_ssize_t breaks = 0;
        while (stop_at < end && *stop_at != '\n') {
            const char *eol = memchr(stop_at, '\n', (size_t)(end - stop_at));
            if (eol == NULL) {
                stop_at = end;
                break;
            }
            stop_at = eol + 1;
            breaks++;
        }
        /* body .. stop_at is the text with its last newline, if any, which is not text. */
        Py_ssize_t length = stop_at - body, after = 1;
        if (length && body[length - 1] == '\n') {
            length--;
            breaks--;
            after = 2;
        }
        PyObject *cue;
        if (plain_text(body, length)) {
            Py_ssize_t first = 0, last = length;
            while (first < last && body[first] == ' ') {
                first++;
            }
            while (last > first && body[last - 1] == ' ') {
                last--;
            }
            cue = make_cue(cue_type, start, stop,
                           PyUnicode_DecodeUTF8(body + first, last - first, NULL),
                           Py_NewRef(Py_None), line);
            line += after;
        }
        else {
            PyObject *raw = PyUnicode_DecodeUTF8(body, length, NULL);
            if (raw == NULL) {
                goto fail;
            }
            PyObject *read = PyObject_CallOneArg(cue_text, raw);
            Py_DECREF(raw);
            if (read == NULL) {
                goto fail;
            }
            if (!PyTuple_Check(read) || PyTuple_GET_SIZE(read) != 2) {
                Py_DECREF(read);
                PyErr_SetString(PyExc_TypeError, "cue_text must return (speaker, words)");
                goto fail;
            }
            cue = make_cue(cue_type, start, stop, Py_NewRef(PyTuple_GET_ITEM(read, 1)),
                           Py_NewRef(PyTuple_GET_ITEM(read, 0)), line);
            Py_DECREF(read);
            line += after + breaks;
        }
        if (cue == NULL || PyList_Append(cues, cue) < 0) {
            Py_XDECREF(cue);
            goto fail;
        }
        Py_DECREF(cue);
        p = stop_at;
    }
    /* Every arrow must be a cue's own (one in an identifier or a text is no plain file). */
    if (arrows(head_end, end - head_end) != PyList_GET_SIZE(cues)) {
        goto decline;
    }
    return cues;
decline:
    Py_DECREF(cues);
    Py_RETURN_NONE;
fail:
    Py_DECREF(cues);
    return NULL;
}

/* ---------------------------------------------------------------- normalise */

/* An anchor, "t=83" or "t=83.4" (timecodes.make_anchors), for a value in milliseconds. */
static PyObject *
anchor_of(long long value)
{
    char text[NUMBER + 8], *p = text;
    p = PUT(p, "t=");
    p = put_fraction(put_int(p, value / 1000), value % 1000);
    return PyUnicode_FromStringAndSize(text, p - text);
}

PyDoc_STRVAR(normalise_doc,
"normalise(cues, segment, names) -> (segments, overlaps) | None\n\n"
"What generator.transcripts.cues._normalise_plain makes of cues already in strict time order,\n"
"each ending after it starts, none empty, and none with a colon in its first 60 characters or\n"
"starting with '[' (where a speaker label could be): the Segment tuples, with speakers renamed\n"
"by `names` (a dict, or None) and their time anchors, and the lines of the cues that start\n"
"before the one above them ends. None for any other cues (the caller then uses Python).");

static PyObject *
normalise(PyObject *module, PyObject *args)
{
    PyObject *cues, *names;
    PyTypeObject *segment_type;
    if (!PyArg_ParseTuple(args, "O!O!O:normalise", &PyList_Type, &cues, &PyType_Type,
                          &segment_type, &names)) {
        return NULL;
    }
    if (!PyType_IsSubtype(segment_type, &PyTuple_Type) || (names != Py_None && !PyDict_Check(names))) {
        PyErr_SetString(PyExc_TypeError, "segment must be a named tuple class, names a dict");
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(cues);
    if (count == 0) {
        Py_RETURN_NONE;
    }
    /* First every check, so that nothing is made for cues that are left to Python. */
    long long previous = -1;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *cue = PyList_GET_ITEM(cues, i);
        if (!PyTuple_Check(cue) || PyTuple_GET_SIZE(cue) != 5) {
            Py_RETURN_NONE;
        }
        long long start, end;
        PyObject *text = PyTuple_GET_ITEM(cue, 2), *speaker = PyTuple_GET_ITEM(cue, 3);
        if (!get_ms(PyTuple_GET_ITEM(cue, 0), &start) || !get_ms(PyTuple_GET_ITEM(cue, 1), &end) ||
            end <= start || start <= previous || !PyUnicode_CheckExact(text) ||
            !PyLong_CheckExact(PyTuple_GET_ITEM(cue, 4)) ||
            (speaker != Py_None && !PyUnicode_CheckExact(speaker))) {
            Py_RETURN_NONE;
        }
        Py_ssize_t length = PyUnicode_GET_LENGTH(text);
        if (length == 0 || PyUnicode_READ_CHAR(text, 0) == '[') {
            Py_RETURN_NONE;
        }
        Py_ssize_t colon = PyUnicode_FindChar(text, ':', 0, length < 60 ? length : 60, 1);
        if (colon != -1) {
            if (colon == -2) {
                return NULL;
            }
            Py_RETURN_NONE;
        }
        previous = start;
    }
    PyObject *segments = PyTuple_New(count);
    PyObject *overlaps = PyList_New(0);
    if (segments == NULL || overlaps == NULL) {
        goto fail;
    }
    long long second = -1, given[1000]; /* the anchors given in the current second */
    int given_count = 0;
    long long end_before = -1;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *cue = PyList_GET_ITEM(cues, i);
        PyObject *start_obj = PyTuple_GET_ITEM(cue, 0), *end_obj = PyTuple_GET_ITEM(cue, 1);
        PyObject *line = PyTuple_GET_ITEM(cue, 4), *speaker = PyTuple_GET_ITEM(cue, 3);
        long long start = PyLong_AsLongLong(start_obj), end = PyLong_AsLongLong(end_obj);
        if (i && start < end_before && PyList_Append(overlaps, line) < 0) {
            goto fail;
        }
        end_before = end;
        /* The anchor: the whole second; if taken (another segment in this second), the start
           floored to the fewest decimals that are free. Starts only grow, so only the ids of
           this second can be taken, and the start itself always is free. */
        long long value = start - start % 1000;
        if (value != second) {
            second = value;
            given_count = 0;
        }
        else {
            static const long long steps[] = {100, 10, 1};
            for (int k = 0; k < 3; k++) {
                value = start - start % steps[k];
                int taken = 0;
                for (int j = 0; j < given_count; j++) {
                    if (given[j] == value) {
                        taken = 1;
                        break;
                    }
                }
                if (!taken) {
                    break;
                }
            }
        }
        given[given_count++] = value;
        /* The speaker: an empty name is none; then renamed. */
        if (speaker != Py_None && PyUnicode_GET_LENGTH(speaker) == 0) {
            speaker = Py_None;
        }
        if (speaker != Py_None && names != Py_None) {
            PyObject *renamed = PyDict_GetItemWithError(names, speaker);
            if (renamed != NULL) {
                speaker = renamed;
            }
            else if (PyErr_Occurred()) {
                goto fail;
            }
        }
        PyObject *anchor = anchor_of(value);
        PyObject *segment = anchor ? segment_type->tp_alloc(segment_type, 6) : NULL;
        if (segment == NULL) {
            Py_XDECREF(anchor);
            goto fail;
        }
        PyTuple_SET_ITEM(segment, 0, Py_NewRef(start_obj));
        PyTuple_SET_ITEM(segment, 1, Py_NewRef(end_obj));
        PyTuple_SET_ITEM(segment, 2, Py_NewRef(PyTuple_GET_ITEM(cue, 2)));
        PyTuple_SET_ITEM(segment, 3, Py_NewRef(speaker));
        PyTuple_SET_ITEM(segment, 4, anchor);
        PyTuple_SET_ITEM(segment, 5, Py_NewRef(line));
        PyTuple_SET_ITEM(segments, i, segment);
    }
    PyObject *result = PyTuple_Pack(2, segments, overlaps);
    Py_DECREF(segments);
    Py_DECREF(overlaps);
    return result;
fail:
    Py_XDECREF(segments);
    Py_XDECREF(overlaps);
    return NULL;
}

/* ---------------------------------------------------------------- link_all */

#ifndef _WIN32 /* POSIX links and folders; Windows builds the rest of the module */

/* Make the folder `path` and any missing above it (path is modified and restored). */
static int
make_folders(char *path)
{
    if (mkdir(path, 0777) == 0 || errno == EEXIST) {
        return 0;
    }
    if (errno != ENOENT) {
        return -1;
    }
    char *slash = strrchr(path, '/');
    if (slash == NULL || slash == path) {
        return -1;
    }
    *slash = '\0';
    int made = make_folders(path);
    *slash = '/';
    if (made < 0) {
        return -1;
    }
    return mkdir(path, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

PyDoc_STRVAR(link_all_doc,
"link_all(sources, targets) -> list[int]\n\n"
"Hard-link each source file to its target (paths as bytes), making the folders\n"
"each target needs, without holding the GIL: the site's files are linked while the build's\n"
"thread renders. Returns the indexes of the pairs that could not be linked (the caller\n"
"copies those, or reports them).");

static PyObject *
link_all(PyObject *module, PyObject *args)
{
    PyObject *sources, *targets;
    if (!PyArg_ParseTuple(args, "O!O!:link_all", &PyList_Type, &sources, &PyList_Type,
                          &targets)) {
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(sources);
    if (PyList_GET_SIZE(targets) != count) {
        PyErr_SetString(PyExc_ValueError, "one target for each source");
        return NULL;
    }
    const char **from = PyMem_Calloc((size_t)count + 1, sizeof(char *));
    const char **to = PyMem_Calloc((size_t)count + 1, sizeof(char *));
    char *failed = PyMem_Calloc((size_t)count + 1, 1);
    PyObject *result = NULL;
    if (from == NULL || to == NULL || failed == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *a = PyList_GET_ITEM(sources, i), *b = PyList_GET_ITEM(targets, i);
        if (!PyBytes_Check(a) || !PyBytes_Check(b)) {
            PyErr_SetString(PyExc_TypeError, "paths must be bytes");
            goto done;
        }
        from[i] = PyBytes_AS_STRING(a);
        to[i] = PyBytes_AS_STRING(b);
    }
    /* The lists hold the bytes objects, and nothing else can change them meanwhile. */
    Py_BEGIN_ALLOW_THREADS
    char folder[4096] = "", last[4096] = "";
    for (Py_ssize_t i = 0; i < count; i++) {
        const char *slash = strrchr(to[i], '/');
        size_t length = slash ? (size_t)(slash - to[i]) : 0;
        if (length == 0 || length >= sizeof folder) {
            failed[i] = 1;
            continue;
        }
        if (strlen(last) != length || memcmp(last, to[i], length) != 0) {
            memcpy(folder, to[i], length);
            folder[length] = '\0';
            if (make_folders(folder) < 0) {
                failed[i] = 1;
                continue;
            }
            memcpy(last, folder, length + 1);
        }
        if (link(from[i], to[i]) != 0) {
            failed[i] = 1;
        }
    }
    Py_END_ALLOW_THREADS
    result = PyList_New(0);
    for (Py_ssize_t i = 0; result != NULL && i < count; i++) {
        if (failed[i]) {
            PyObject *index = PyLong_FromSsize_t(i);
            if (index == NULL || PyList_Append(result, index) < 0) {
                Py_CLEAR(result);
            }
            Py_XDECREF(index);
        }
    }
done:
    PyMem_Free(from);
    PyMem_Free(to);
    PyMem_Free(failed);
    return result;
}

#endif /* _WIN32 */

/* ---------------------------------------------------------------- the module */

static PyMethodDef methods[] = {
    {"render_all", render_all, METH_VARARGS, render_all_doc},
    {"parse_vtt", parse_vtt, METH_VARARGS, parse_vtt_doc},
    {"normalise", normalise, METH_VARARGS, normalise_doc},
#ifndef _WIN32
    {"link_all", link_all, METH_VARARGS, link_all_doc},
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "generator._speedups",
    .m_doc = "Cuepress's optional C speedups for the per-cue loops (see _speedups.c).",
    .m_size = 0,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    init_special();
    return PyModule_Create(&module);
}
