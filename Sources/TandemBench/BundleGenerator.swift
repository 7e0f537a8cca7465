import FHIRCore

/// A generated transaction Bundle of the given size, made of the official examples (Bundles excluded)
/// posted with `urn:uuid` full URLs, written in both formats by Tandem's own writers.
struct GeneratedBundle {
    let tree: Element
    let json: [UInt8]
    let xml: [UInt8]
    let resourceCount: Int

    func bytes(_ format: WireFormat) -> [UInt8] { format == .json ? self.json : self.xml }
}

enum BundleGenerator {
    static func transaction(from examples: ExampleSet, targetBytes: Int) throws -> GeneratedBundle {
        // Entry sizes measured as our compact JSON, so the Bundle lands on the target size.
        let sources = examples.trees.filter { $0.type != "Bundle" }.map { ($0, FHIRJSON.write($0).count) }
        var entries: [Element] = []
        var approximateBytes = 0
        var serial = 0
        while approximateBytes < targetBytes, !sources.isEmpty {
            let (resource, resourceBytes) = sources[serial % sources.count]
            serial += 1
            let uuid = "urn:uuid:00000000-0000-4000-8000-\(String(serial, radix: 16).leftPadded(to: 12))"
            var contents = resource
            contents.name = "resource"
            entries.append(
                Element(
                    name: "entry",
                    type: "Bundle.Entry",
                    children: [
                        Element(name: "fullUrl", type: "uri", value: uuid),
                        contents,
                        Element(
                            name: "request",
                            type: "Bundle.Request",
                            children: [
                                Element(name: "method", type: "code", value: "POST"),
                                Element(name: "url", type: "uri", value: resource.type),
                            ]
                        ),
                    ]
                )
            )
            approximateBytes += resourceBytes + 150
        }
        let bundle = Element(
            name: "Bundle",
            type: "Bundle",
            children: [
                Element(name: "type", type: "code", value: "transaction")
            ] + entries
        )
        let json = FHIRJSON.write(bundle)
        let xml = FHIRXML.write(bundle)
        // The generated Bundle must itself be valid, or the figures would measure error paths.
        let outcome = Validator.validate(try FHIRJSON.read(json))
        guard !outcome.hasErrors else { throw outcome }
        return GeneratedBundle(tree: bundle, json: json, xml: xml, resourceCount: entries.count)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - self.count)) + self
    }
}
