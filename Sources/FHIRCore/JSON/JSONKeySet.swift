/// The keys seen in one object, for duplicate detection: a plain array while small (FHIR objects have a
/// handful of keys), a hash set once a hostile object grows large.
struct JSONKeySet {
    private var small: [String] = []
    private var large: Set<String>?

    /// Adds the key; false when it was already there.
    mutating func insert(_ key: String) -> Bool {
        if self.large != nil { return self.large!.insert(key).inserted }
        if self.small.contains(key) { return false }
        self.small.append(key)
        if self.small.count > 24 {
            self.large = Set(self.small)
            self.small = []
        }
        return true
    }
}
