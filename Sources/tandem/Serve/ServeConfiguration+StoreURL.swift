import ArgumentParser
import Store

extension ServeConfiguration {
    /// The configured store URL, parsed, with the PostgreSQL password from `TANDEM_STORE_PASSWORD` when the
    /// URL names none: what `tandem serve` and the administrative commands open alike.
    ///
    /// - Throws: `ValidationError` naming the store URL when it is malformed or of another scheme.
    func storeURL(environment: [String: String]) throws -> StoreURL {
        var url: StoreURL
        do {
            url = try StoreURL(self.store)
        } catch {
            throw ValidationError("store URL: \(error.message)")
        }
        if case .postgres(var endpoint) = url, endpoint.password == nil,
            let password = environment["TANDEM_STORE_PASSWORD"]
        {
            endpoint.password = password
            url = .postgres(endpoint)
        }
        return url
    }
}
