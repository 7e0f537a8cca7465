import FHIRCore
import HTTPTypes

/// Chooses what a message Bundle writes: the MessageHeader's `focus` resources and every entry they
/// reference, directly or through each other (https://hl7.org/fhir/R4/messaging.html#content).
///
/// The MessageHeader itself is not stored as a resource (the raw message is, with the rest).
struct MessageFocus {
    /// The request's MessageHeader.
    var header: Element
    /// Selected `Bundle.entry` elements with their positions, in Bundle order.
    var entries: [(index: Int, entry: Element)]
    /// Positions of the focus entries themselves.
    var focusIndexes: Set<Int>

    /// - Throws: ``FHIRError`` 400 when the first entry is not a MessageHeader or a focus names no entry.
    static func select(_ bundle: Element) throws(FHIRError) -> MessageFocus {
        let entries = bundle.children(named: "entry")
        guard let header = entries.first?.child("resource"), header.type == "MessageHeader" else {
            throw FHIRError(
                .badRequest,
                .invalid,
                "the first entry of a message Bundle must be a MessageHeader",
                path: "Bundle.entry[0].resource"
            )
        }
        // An entry answers to its fullUrl, to `Type/id`, and to the `Type/id` tail of an absolute fullUrl.
        var byReference: [String: Int] = [:]
        for (index, entry) in entries.enumerated().dropFirst() {
            guard let resource = entry.child("resource") else { continue }
            if let id = resource.resourceID { byReference["\(resource.type)/\(id)"] = index }
            if let fullUrl = entry.string("fullUrl") {
                byReference[fullUrl] = index
                let segments = fullUrl.split(separator: "/")
                if !fullUrl.hasPrefix("urn:") && segments.count >= 2 {
                    byReference[segments.suffix(2).joined(separator: "/")] = index
                }
            }
        }
        var focus: Set<Int> = []
        for reference in header.children(named: "focus").compactMap({ $0.string("reference") }) {
            guard let index = byReference[reference] else {
                throw FHIRError(
                    .badRequest,
                    .notFound,
                    "MessageHeader.focus '\(reference)' names no entry of the Bundle",
                    path: "MessageHeader.focus"
                )
            }
            focus.insert(index)
        }
        // The closure over references: what the focus needs to make sense once stored.
        var selected = focus
        var queue = Array(focus)
        while let index = queue.popLast() {
            guard let resource = entries[index].child("resource") else { continue }
            for reference in ReferenceRewriter.references(in: resource) {
                if let target = byReference[reference], selected.insert(target).inserted { queue.append(target) }
            }
        }
        return MessageFocus(
            header: header,
            entries: selected.sorted().map { ($0, entries[$0]) },
            focusIndexes: focus
        )
    }
}
