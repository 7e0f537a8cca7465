import ArgumentParser
import Server

/// `tandem token-hash TOKEN`: prints the SHA-256 a sender's `tokenHash` holds, so the configuration
/// never contains the token itself.
struct TokenHashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token-hash",
        abstract: "Print the hex SHA-256 of a bearer token, for a sender's tokenHash."
    )

    @Argument(help: "The bearer token.")
    var token: String

    func run() throws {
        print(Sender.hash(token: self.token))
    }
}
