/// A referral (ServiceRequest, Task or CarePlan) that is held but in no episode because of its codes:
/// they trigger no service line, or they only continue one (a subsequent encounter or sequela) and the
/// patient has no open episode of it.
///
/// The normaliser warns about each one in its outcome, naming the codes; a mapping change that makes the
/// codes trigger, or the arrival of the episode it continues, places it on the next derivation.
public struct UnmatchedReferral: Sendable, Hashable, Codable {
    /// The held resource's key (``HeldResource/key``).
    public var key: String
    /// `ServiceRequest`, `Task` or `CarePlan`.
    public var resourceType: String
    /// The FHIR path the warning names: where the resource carries the codes that were tried.
    public var path: String
    /// The codes that were tried (what `serviceCodes` extracted), in order; empty when there were none.
    public var codes: [Coding]
    /// The service line the codes continue but had no open episode to join; nil when they trigger none.
    public var serviceLine: String?

    public init(key: String, resourceType: String, path: String, codes: [Coding], serviceLine: String?) {
        self.key = key
        self.resourceType = resourceType
        self.path = path
        self.codes = codes
        self.serviceLine = serviceLine
    }

    /// The element that carries a type's trigger codes in the shipped extraction.
    public static func path(of resourceType: String) -> String {
        switch resourceType {
        case "ServiceRequest": "ServiceRequest.code"
        case "Task": "Task.code"
        case "CarePlan": "CarePlan.category"
        default: resourceType
        }
    }

    /// The codes as a warning names them: `system|code`, comma-separated, or `none`.
    var codeList: String {
        self.codes.isEmpty ? "none" : self.codes.map { "\($0.system ?? "")|\($0.code)" }.joined(separator: ", ")
    }
}
