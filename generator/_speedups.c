/* Cuepress's speedups: the two loops that run once for every cue of an archive, in C.
 *
 * Optional, as MarkupSafe's and PyYAML's are: pyproject.toml builds this module when a C
 * compiler is at hand, and the package falls back to its Python code when the module is missing
 * (or when CUEPRESS_NO_SPEEDUPS is set). Each function here has a Python twin that is the
 * reference: generator/transcripts/exports.py (render_all). The tests hold each function to its twin, byte for byte, on the test
 * transcripts and on random ones. A function that meets anything unusual returns None, and the
 * caller takes the Python path; so this file only ever has to cover the common case.
 *
 * Everything is done on UTF-8: text in, bytes out, Python strings at the edges.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

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

/* ---------------------------------------------------------------- the module */

static PyMethodDef methods[] = {
    {"render_all", render_all, METH_VARARGS, render_all_doc},
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
