import FHIRCore

/// The `Codable` form of an element tree, so an ``EpisodeBook`` can be stored and restored exactly.
///
/// A wrapper rather than a conformance on `Element`: conforming a FHIR core type to `Codable` from
/// here would be a retroactive conformance other modules could collide with. Source locations are not
/// kept; they mean nothing once the message is stored.
struct StoredElement: Codable, Hashable {
    var element: Element

    init(_ element: Element) {
        self.element = element
    }

    private enum CodingKeys: String, CodingKey { case name, type, value, children }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let children = try container.decodeIfPresent([StoredElement].self, forKey: .children) ?? []
        self.element = Element(
            name: try container.decode(String.self, forKey: .name),
            type: try container.decode(String.self, forKey: .type),
            value: try container.decodeIfPresent(String.self, forKey: .value),
            children: children.map(\.element)
        )
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.element.name, forKey: .name)
        try container.encode(self.element.type, forKey: .type)
        try container.encodeIfPresent(self.element.value, forKey: .value)
        if !self.element.children.isEmpty {
            try container.encode(self.element.children.map(StoredElement.init), forKey: .children)
        }
    }

    /// A deterministic text of the tree (names, types, values, nesting), for content hashes.
    var canonicalText: String {
        var text = ""
        func write(_ node: Element) {
            text += "(\(node.name):\(node.type)"
            if let value = node.value { text += "=\(value.count):\(value)" }
            for child in node.children { write(child) }
            text += ")"
        }
        write(self.element)
        return text
    }
}

/// FNV-1a, 64 bit: the stable, dependency-free hash behind episode ids and content keys.
enum FNV1a {
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The hash as 16 lowercase hex digits.
    static func hex(_ text: String) -> String {
        self.hex(of: Self.hash(text))
    }

    /// The hex digits of the hash of `parts` joined by `separator`, without joining them.
    static func hex(_ parts: [String], separator: UInt8) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (index, part) in parts.enumerated() {
            if index > 0 {
                hash ^= UInt64(separator)
                hash &*= 0x0000_0100_0000_01b3
            }
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
        }
        return self.hex(of: hash)
    }

    private static func hex(of hash: UInt64) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0..<16 { buffer[index] = digits[Int((hash >> UInt64(60 - 4 * index)) & 0xf)] }
            return 16
        }
    }
}
