import ArgumentParser
import Foundation
import Server

/// `tandem password-hash`: prints the `passwordHash` an operator's console sign-in is checked against
/// (PBKDF2-HMAC-SHA256, random salt), so the configuration never holds the password.
struct PasswordHashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password-hash",
        abstract: "Print the passwordHash of an operator's console password (PBKDF2-SHA256).",
        discussion: """
            Reads the password from standard input (one line), so it stays out of the shell's history and \
            the process list; --password is for scripts and tests.
            """
    )

    @Option(name: .long, help: "The password (otherwise read from standard input).")
    var password: String?

    @Option(name: .long, help: "PBKDF2 iterations (at least 210000).")
    var iterations = PasswordHash.defaultIterations

    func validate() throws {
        guard self.iterations >= PasswordHash.minimumIterations else {
            throw ValidationError("--iterations must be at least \(PasswordHash.minimumIterations)")
        }
    }

    func run() throws {
        guard let password = self.password ?? readLine(strippingNewline: true), !password.isEmpty else {
            throw ValidationError("no password: pass --password or write it on standard input")
        }
        guard password.count >= 12 else { throw ValidationError("the password must have at least 12 characters") }
        print(try PasswordHash(hashing: password, iterations: self.iterations))
    }
}
