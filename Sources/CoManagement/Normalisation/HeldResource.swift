public import FHIRCore

/// One resource the book holds: the latest content received under its key, and who sent it.
///
/// The sender is kept because extraction depends on it (per-sender overrides in `Mappings/senders/`).
public struct HeldResource: Sendable, Hashable {
    /// `Type/id`, else the Bundle entry's `fullUrl`, else `Type?identifier=system|value`, else a hash
    /// of the content (so re-sending the same anonymous resource is still recognised).
    public var key: String
    public var fullUrl: String?
    public var sender: String?
    public var resource: Element
    /// Position in the order resources were received; breaks ties between equally recent versions.
    public var arrival: Int

    public init(key: String, fullUrl: String?, sender: String?, resource: Element, arrival: Int) {
        self.key = key
        self.fullUrl = fullUrl
        self.sender = sender
        self.resource = resource
        self.arrival = arrival
    }

    /// The key a resource is held under (see ``key``).
    public static func key(for resource: Element, fullUrl: String?) -> String {
        if let id = resource.string("id"), !id.isEmpty { return "\(resource.type)/\(id)" }
        if let fullUrl, !fullUrl.isEmpty { return fullUrl }
        if let identifier = resource.children(named: "identifier").first(where: { $0.string("value") != nil }) {
            return
                "\(resource.type)?identifier=\(identifier.string("system") ?? "")|\(identifier.string("value") ?? "")"
        }
        return "\(resource.type)#\(FNV1a.hex(StoredElement(resource).canonicalText))"
    }

    /// `meta.versionId` as a number, when it is one.
    var versionNumber: Int? { self.resource.child("meta")?.string("versionId").flatMap { Int($0) } }

    /// `meta.lastUpdated`.
    var lastUpdated: FHIRInstant? { self.resource.child("meta")?.string("lastUpdated").flatMap(FHIRInstant.init) }

    /// Whether this version is older than `other`, so that it must not replace it.
    ///
    /// By what the senders said when both said it (`meta.versionId`, else `meta.lastUpdated`); else by
    /// how far along its lifecycle `status` is, because workflow statuses do not go back (a referral
    /// completed is not active again) and duplicates and out-of-order messages are everyday traffic.
    /// Without any of these, the later arrival wins. This keeps the final state independent of order.
    func isOlder(than other: HeldResource) -> Bool {
        if let mine = self.versionNumber, let theirs = other.versionNumber, mine != theirs { return mine < theirs }
        if let mine = self.lastUpdated, let theirs = other.lastUpdated, mine != theirs { return mine < theirs }
        let mine = Self.statusRank(self.resource.string("status"))
        let theirs = Self.statusRank(other.resource.string("status"))
        return mine < theirs
    }

    /// Position of a request, task or plan status along its lifecycle; unknown statuses rank lowest,
    /// and equal ranks fall back to arrival order.
    static func statusRank(_ status: String?) -> Int {
        switch status {
        case "draft", "proposed", "planned", "requested": 1
        case "received", "accepted", "ready", "booked": 2
        case "active", "in-progress", "on-hold", "suspended": 3
        case "completed", "revoked", "cancelled", "rejected", "failed", "stopped", "inactive", "entered-in-error": 4
        default: 0
        }
    }

    /// The key with the version, for timeline sources: `ServiceRequest/sr-1/_history/2`.
    var versionedKey: String {
        guard let version = self.resource.child("meta")?.string("versionId"), self.key.contains("/"),
            !self.key.contains(":")
        else { return self.key }
        return "\(self.key)/_history/\(version)"
    }
}

extension HeldResource: Codable {
    private enum CodingKeys: String, CodingKey { case key, fullUrl, sender, resource, arrival }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.key = try container.decode(String.self, forKey: .key)
        self.fullUrl = try container.decodeIfPresent(String.self, forKey: .fullUrl)
        self.sender = try container.decodeIfPresent(String.self, forKey: .sender)
        // Written as FHIR JSON text; books stored before that hold the element tree as nested objects.
        if let json = try? container.decode(String.self, forKey: .resource) {
            do {
                self.resource = try FHIRJSON.read(Array(json.utf8)).root
            } catch {
                throw DecodingError.dataCorruptedError(
                    forKey: .resource,
                    in: container,
                    debugDescription: "the held resource is not FHIR JSON: \(error.issues.first?.message ?? "")"
                )
            }
        } else {
            self.resource = try container.decode(StoredElement.self, forKey: .resource).element
        }
        self.arrival = try container.decode(Int.self, forKey: .arrival)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.key, forKey: .key)
        try container.encodeIfPresent(self.fullUrl, forKey: .fullUrl)
        try container.encodeIfPresent(self.sender, forKey: .sender)
        // The resource as compact FHIR JSON in one string: several times cheaper to encode and smaller
        // to store than the element tree as nested objects, and the book is encoded on every ingest.
        try container.encode(String(decoding: FHIRJSON.write(self.resource), as: UTF8.self), forKey: .resource)
        try container.encode(self.arrival, forKey: .arrival)
    }
}
