#ifndef TANDEM_CLIBXML2_SHIM_H
#define TANDEM_CLIBXML2_SHIM_H

// Debian's libxml2 is built with ICU, whose headers clash with the ICU bundled in Foundation
// ("'UErrorCode' has different definitions in different modules"). Read the version header first,
// then switch the ICU part off before any other libxml header sees it.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#include <libxml/tree.h>

/// `xmlFree` is a global function-pointer variable, which Swift 6 refuses to touch; call through this.
static inline void cxml_free(void *pointer) { xmlFree(pointer); }

/// Line of the parser's current input, or 0 when there is none.
static inline int cxml_line(xmlParserCtxtPtr ctxt) {
    return (ctxt != NULL && ctxt->input != NULL) ? ctxt->input->line : 0;
}

/// Column of the parser's current input, or 0 when there is none.
static inline int cxml_column(xmlParserCtxtPtr ctxt) {
    return (ctxt != NULL && ctxt->input != NULL) ? ctxt->input->col : 0;
}

/// The Swift context that the SAX callbacks receive through the parser's `_private` pointer.
static inline void *cxml_private(void *ctx) { return ((xmlParserCtxtPtr)ctx)->_private; }
static inline void cxml_set_private(xmlParserCtxtPtr ctxt, void *context) { ctxt->_private = context; }

/// Replace the SAX handler of a memory parser context (the context owns it and frees it).
static inline void cxml_set_sax(xmlParserCtxtPtr ctxt, const xmlSAXHandler *sax) {
    memcpy(ctxt->sax, sax, sizeof(xmlSAXHandler));
    ctxt->userData = ctxt;
}

/// Where libxml2 sends, on this thread, the errors that name no parser context: the failures to decode
/// the input from its declared encoding (`XML_FROM_I18N`, `XML_FROM_IO`). By default libxml2 prints them
/// to standard error, quoting input bytes; logs must never hold message content.
typedef struct {
    void *context;
    xmlStructuredErrorFunc handler;
} cxml_thread_errors;

/// Sends this thread's context-less errors to `handler` with `context`; returns the routing it replaced.
static inline cxml_thread_errors cxml_route_thread_errors(void *context, xmlStructuredErrorFunc handler) {
    cxml_thread_errors previous = { xmlStructuredErrorContext, xmlStructuredError };
    xmlSetStructuredErrorFunc(context, handler);
    return previous;
}

/// Puts back the routing ``cxml_route_thread_errors`` replaced.
static inline void cxml_restore_thread_errors(cxml_thread_errors previous) {
    xmlSetStructuredErrorFunc(previous.context, previous.handler);
}

/// Whether the parser stopped because the input was not well-formed.
static inline int cxml_well_formed(xmlParserCtxtPtr ctxt) { return ctxt->wellFormed; }

#endif
