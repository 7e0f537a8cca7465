/// Every JSON property name R4 allows on one type (`valueQuantity`, `_birthDate`, `resourceType`),
/// found by comparing the key's bytes in the input: no `String` is made and no SipHash is run per key.
///
/// Built once for all types (``JSONPropertyTables/shared``); a complex property carries the index of its
/// own type's table, so descending into an object needs no lookup by type name.
struct JSONPropertyTable: Sendable {
    /// What a property holds, decided once from the metadata.
    enum Kind: Sendable {
        /// A primitive value, spelled as this JSON kind.
        case primitive(R4Metadata.JSONKind)
        /// The `_x` companion of a primitive: an object with `id` and `extension`.
        case companion
        /// An object of the type whose table has this index.
        case complex(table: Int)
        /// A resource position (`contained`, `Bundle.entry.resource`): the object names its own type.
        case resource
        /// The narrative `div`.
        case xhtml
        /// `resourceType`, only meaningful on a resource.
        case resourceType
        /// A type the metadata has no definition for (reported, never expected in R4).
        case undefined
    }

    struct Property: Sendable {
        /// The element name without choice suffix (`value`).
        let name: String
        /// The type of this occurrence (`Quantity`).
        let type: String
        let kind: Kind
        let order: Int
        let isRepeating: Bool
    }

    let typeName: String
    private(set) var properties: [Property] = []
    /// Key bytes of all properties, back to back; `keyEnds[i]` is where property `i`'s key ends.
    private var keyBytes: [UInt8] = []
    private var keyEnds: [Int] = []
    /// Open-addressing hash slots holding property indices, -1 when empty.
    private var slots: [Int32] = []

    init(typeName: String) {
        self.typeName = typeName
    }

    mutating func add(key: String, _ property: Property) {
        self.properties.append(property)
        self.keyBytes.append(contentsOf: key.utf8)
        self.keyEnds.append(self.keyBytes.count)
    }

    /// Builds the hash slots once all properties are added.
    mutating func seal() {
        var capacity = 8
        while capacity < self.properties.count * 2 { capacity <<= 1 }
        self.slots = Array(repeating: -1, count: capacity)
        for index in self.properties.indices {
            let start = index == 0 ? 0 : self.keyEnds[index - 1]
            let hash = self.keyBytes.withUnsafeBufferPointer {
                Self.hash(UnsafeBufferPointer(rebasing: $0[start..<self.keyEnds[index]]))
            }
            var slot = hash & (capacity - 1)
            while self.slots[slot] >= 0 { slot = (slot + 1) & (capacity - 1) }
            self.slots[slot] = Int32(index)
        }
    }

    /// The key of property `index`, for messages.
    func key(at index: Int) -> String {
        let start = index == 0 ? 0 : self.keyEnds[index - 1]
        return String(decoding: self.keyBytes[start..<self.keyEnds[index]], as: UTF8.self)
    }

    /// The index of the property whose key is exactly `key`.
    func lookup(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let mask = self.slots.count - 1
        var slot = Self.hash(key) & mask
        while true {
            let candidate = Int(self.slots[slot])
            if candidate < 0 { return nil }
            let start = candidate == 0 ? 0 : self.keyEnds[candidate - 1]
            if self.keyEnds[candidate] - start == key.count {
                let equal = self.keyBytes.withUnsafeBufferPointer { stored in
                    key.indices.allSatisfy { stored[start + $0] == key[$0] }
                }
                if equal { return candidate }
            }
            slot = (slot + 1) & mask
        }
    }

    /// FNV-1a: keys are short ASCII names, so a simple byte hash spreads them well enough.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }
}
