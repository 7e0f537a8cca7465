extension DecodingError {
    /// A configuration value of the right JSON type that still cannot be used; the message names the
    /// setting's path, which ``ConfigurationError`` passes on to the operator.
    static func unusableSetting(_ description: String, at decoder: any Decoder) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: description))
    }
}
