/* Cuepress's speedups: primitives in C, with no podcast rules in them (as MarkupSafe keeps its C
 * around one escape function).
 *
 * Optional, as MarkupSafe's and PyYAML's are: pyproject.toml builds this module when a C
 * compiler is at hand, and the package falls back to its Python code when the module is missing
 * (or when CUEPRESS_NO_SPEEDUPS is set): the same site, byte for byte.
 *
 * Every rule of a transcript (reading WebVTT, normalising cues, the downloads, the page's
 * markup) is Python, in one place: the C twins of the WebVTT reader, normalise and the exporter
 * that this file held until issue 21 are gone (see the README's "Developing" for why).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#ifndef _WIN32
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

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
#ifndef _WIN32
    {"link_all", link_all, METH_VARARGS, link_all_doc},
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "generator._speedups",
    .m_doc = "Cuepress's optional C primitives (see _speedups.c).",
    .m_size = 0,
    .m_methods = methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&module);
}
