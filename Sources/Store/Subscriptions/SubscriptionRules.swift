/// What both backends decide alike when a subscription is saved.
enum SubscriptionRules {
    /// Refuses a save that would take another partner's subscription or the configuration's, or that
    /// names a version that is not the current one.
    static func checkSave(
        _ record: SubscriptionRecord,
        existing: SubscriptionRecord?,
        ifMatch: Int?
    ) throws(StoreError) {
        if let existing, existing.origin != record.origin || existing.owner != record.owner {
            throw StoreError(
                .idTaken,
                "subscription \(record.id) belongs to \(existing.origin == .configuration ? "the configuration" : existing.owner)",
                publicMessage: "Subscription/\(record.id) cannot be written by this partner; use another id"
            )
        }
        if let ifMatch, existing?.version != ifMatch {
            let message =
                "If-Match names version \(ifMatch) of Subscription/\(record.id), but the current version is "
                + (existing.map { "\($0.version)" } ?? "none")
            throw StoreError(.versionConflict, message, publicMessage: message, currentVersion: existing?.version)
        }
    }
}
