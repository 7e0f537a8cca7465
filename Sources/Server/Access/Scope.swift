/// One SMART system scope (SMART App Launch 2.x, "Scopes for requesting clinical data"):
/// `system/{Type|*}.{c,r,u,d,s}` in v2 syntax, or v1's `system/{Type|*}.{read|write|*}`.
///
/// Only `system/` scopes exist for a backend service; scopes with search parameters
/// (`system/Observation.rs?category=…`) are not understood and so never granted.
public struct Scope: Sendable, Hashable, CustomStringConvertible {
    /// The interactions a scope permits, in SMART v2's letters.
    public struct Permissions: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        public static let create = Permissions(rawValue: 1 << 0)
        public static let read = Permissions(rawValue: 1 << 1)
        public static let update = Permissions(rawValue: 1 << 2)
        public static let delete = Permissions(rawValue: 1 << 3)
        public static let search = Permissions(rawValue: 1 << 4)
        public static let all: Permissions = [.create, .read, .update, .delete, .search]

        /// The letters in SMART's order (`cruds`).
        static let letters: [(Character, Permissions)] = [
            ("c", .create), ("r", .read), ("u", .update), ("d", .delete), ("s", .search),
        ]

        /// v2 letters, which must appear in `cruds` order, each at most once; or v1's words.
        init?(text: String) {
            switch text {
            case "read": self = [.read, .search]
            case "write": self = [.create, .update, .delete]
            case "*": self = .all
            default:
                var permissions: Permissions = []
                var position = 0
                for character in text {
                    guard let index = Self.letters[position...].firstIndex(where: { $0.0 == character }) else {
                        return nil
                    }
                    permissions.insert(Self.letters[index].1)
                    position = index + 1
                }
                guard !permissions.isEmpty else { return nil }
                self = permissions
            }
        }

        var letters: String {
            String(Self.letters.filter { self.contains($0.1) }.map(\.0))
        }
    }

    /// A FHIR resource type, or `*` for every type.
    public var resourceType: String
    public var permissions: Permissions

    public init(resourceType: String, permissions: Permissions) {
        self.resourceType = resourceType
        self.permissions = permissions
    }

    /// Reads `system/Type.perms`; nil for anything else (other contexts, search parameters, bad letters).
    public init?(_ text: some StringProtocol) {
        guard text.hasPrefix("system/"), !text.contains("?") else { return nil }
        let body = text.dropFirst("system/".count)
        guard let dot = body.lastIndex(of: "."),
            let permissions = Permissions(text: String(body[body.index(after: dot)...]))
        else { return nil }
        let type = String(body[..<dot])
        guard type == "*" || (!type.isEmpty && type.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return nil
        }
        self.init(resourceType: type, permissions: permissions)
    }

    /// The v2 spelling, `system/Type.cruds`.
    public var description: String { "system/\(self.resourceType).\(self.permissions.letters)" }

    /// Whether the scope covers `type` (`*` covers every type).
    func covers(_ type: String) -> Bool { self.resourceType == "*" || self.resourceType == type }

    /// What both scopes permit, on the narrower type; nil when that is nothing.
    func intersection(_ other: Scope) -> Scope? {
        let type: String
        if self.resourceType == other.resourceType || other.resourceType == "*" {
            type = self.resourceType
        } else if self.resourceType == "*" {
            type = other.resourceType
        } else {
            return nil
        }
        let permissions = self.permissions.intersection(other.permissions)
        return permissions.isEmpty ? nil : Scope(resourceType: type, permissions: permissions)
    }

    /// Reads a space-separated scope parameter (RFC 6749 §3.3), dropping what is not a system scope.
    public static func list(_ text: String) -> [Scope] {
        text.split(whereSeparator: { $0 == " " }).compactMap { Scope($0) }
    }
}
