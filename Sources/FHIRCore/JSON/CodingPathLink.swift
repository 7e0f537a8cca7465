/// A coder of one value that knows the coder of the value around it and its key there, so the coding path
/// is walked from them only when it is asked for (an error) and never built for every value.
/// ``SortedKeysJSONEncoder``'s encoders and ``MemberJSONDecoder``'s decoders are such links.
protocol CodingPathLink: AnyObject {
    /// The coder of the enclosing value; nil at the top.
    var parent: Self? { get }
    /// This value's key in the enclosing one; nil for a single value or the top.
    var key: (any CodingKey)? { get }
}

extension CodingPathLink {
    /// The keys from the top-level value down to this one.
    var linkedCodingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var link: Self? = self
        while let current = link {
            if let key = current.key { path.append(key) }
            link = current.parent
        }
        return path.reversed()
    }
}
