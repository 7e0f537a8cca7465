public import struct Foundation.Date

/// One version of a resource as the store holds it.
public struct StoredResource: Sendable, Hashable {
    public var type: String
    /// The gateway's id of the resource (the id in `/fhir/Type/{id}`).
    public var id: String
    public var version: Int
    /// The sender that created the resource and alone may change it.
    public var owner: String
    /// When this version was written (the receiving time of its message).
    public var lastUpdated: Date
    /// The resource JSON without `id`, `meta.versionId` and `meta.lastUpdated` (see ``ResourceWrite``);
    /// empty for the version that deleted it.
    public var content: [UInt8]

    public init(type: String, id: String, version: Int, owner: String, lastUpdated: Date, content: [UInt8]) {
        self.type = type
        self.id = id
        self.version = version
        self.owner = owner
        self.lastUpdated = lastUpdated
        self.content = content
    }

    /// `Type/id`.
    public var reference: String { "\(self.type)/\(self.id)" }

    /// Whether this version is the resource's deletion.
    public var isDeletion: Bool { self.content.isEmpty }

    /// `Type/id/_history/version`.
    public var versionedReference: String { "\(self.type)/\(self.id)/_history/\(self.version)" }
}

/// What one ``ResourceWrite`` did.
public struct WriteResult: Sendable, Hashable {
    public enum Disposition: String, Sendable, Hashable {
        /// A new resource, version 1 (HTTP 201).
        case created
        /// A new version of an existing resource (HTTP 200).
        case updated
        /// The content equals the current version's: nothing written, the current version returned.
        case unchanged
        /// A conditional create found its match: nothing written, the match returned.
        case matched
        /// The resource was deleted: the new version holds no content.
        case deleted
    }

    public var disposition: Disposition
    /// The version that is current after the write.
    public var resource: StoredResource

    public init(_ disposition: Disposition, _ resource: StoredResource) {
        self.disposition = disposition
        self.resource = resource
    }
}
