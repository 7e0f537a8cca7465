import Delivery
import Foundation
import Server
import Testing

@testable import tandem

@Suite struct ServeConfigurationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func sample() throws -> ServeConfiguration {
        try ServeConfiguration.decode(
            Array(try Data(contentsOf: Self.root.appendingPathComponent(ServeConfiguration.samplePath)))
        )
    }

    @Test func shippedSampleConfigurationIsTheEmbeddedDefaultsWithDemoCredentials() throws {
        var sample = try Self.sample()
        #expect(sample.demo && !sample.senders.isEmpty && !sample.operators.isEmpty)
        sample.demo = false
        sample.senders = []
        sample.operators = []
        #expect(sample == ServeConfiguration.embedded)
    }

    @Test func theEmbeddedDefaultsAndAFileWithoutSendersHoldNoCredentials() throws {
        #expect(ServeConfiguration.embedded.senders.isEmpty && ServeConfiguration.embedded.operators.isEmpty)
        let file = try ServeConfiguration.decode(Array(#"{"listen":{"host":"127.0.0.1","port":1}}"#.utf8))
        #expect(file.senders.isEmpty && file.operators.isEmpty && file.partnerAccounts.isEmpty && !file.demo)
    }

    @Test func sampleSendersAreTheScenarioSenders() throws {
        let samples = Self.root.appendingPathComponent("Samples")
        var names: Set<String> = []
        for folder in try FileManager.default.contentsOfDirectory(atPath: samples.path) {
            let scenario = samples.appendingPathComponent(folder).appendingPathComponent("scenario.json")
            guard let data = FileManager.default.contents(atPath: scenario.path),
                let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let sender = object["sender"] as? String
            else { continue }
            names.insert(sender)
        }
        #expect(!names.isEmpty)
        #expect(names.isSubset(of: Set(try Self.sample().senders.map(\.name))))
    }

    @Test func demoTokensAuthenticateTheDemoSenderAndOperator() throws {
        let directory = PrincipalDirectory(settings: try Self.sample().gatewaySettings)
        #expect(directory.principal(forToken: "tandem-demo-token")?.sender?.name == "demo-hospital")
        #expect(directory.principal(forToken: "tandem-demo-operator-token")?.roleName == "operator")
        #expect(directory.principal(forToken: "demo-token-lakeside-eye-surgery")?.name == "lakeside-eye-surgery")
        // Reference value: printf tandem-demo-token | sha256sum
        #expect(
            Sender.hash(token: "tandem-demo-token")
                == "66852691e07cfed096e183a14a1dc4496e166c46915ffb6b46f499226da33d6a"
        )
    }

    @Test func environmentOverridesTheFile() throws {
        let configuration = try ServeConfiguration.embedded.applying(environment: [
            "TANDEM_LISTEN": "0.0.0.0:9090", "TANDEM_STORE_URL": "sqlite:/tmp/x.sqlite", "TANDEM_MAPPINGS": "/etc/maps",
        ])
        #expect(configuration.listen == .init(host: "0.0.0.0", port: 9090))
        #expect(configuration.store == "sqlite:/tmp/x.sqlite")
        #expect(configuration.mappings == "/etc/maps")
        #expect(throws: ConfigurationError.self) {
            try ServeConfiguration.embedded.applying(environment: ["TANDEM_LISTEN": "nope"])
        }
    }

    @Test func missingKeysKeepDefaultsAndUnknownKeysAreRefused() throws {
        let partial = try ServeConfiguration.decode(Array(#"{"listen":{"host":"::1","port":1}}"#.utf8))
        #expect(partial.listen.port == 1)
        #expect(partial.store == ServeConfiguration.embedded.store)
        #expect(partial.partitionCache == 4096)
        #expect(try ServeConfiguration.decode(Array(#"{"partitionCache":64}"#.utf8)).partitionCache == 64)
        #expect(throws: ConfigurationError.self) {
            try ServeConfiguration.decode(Array(#"{"partitionCache":-1}"#.utf8))
        }
        #expect(throws: ConfigurationError.self) { try ServeConfiguration.decode(Array(#"{"lisen":{}}"#.utf8)) }
        #expect(throws: ConfigurationError.self) {
            try ServeConfiguration.decode(
                Array(#"{"senders":[{"name":"a","tokenHash":"secret","allowedTypes":[]}]}"#.utf8)
            )
        }
    }

    @Test func partnersTakeFriendlyDurationsAndTaggedAuth() throws {
        let configuration = try ServeConfiguration.decode(
            Array(
                #"""
                {"consentDefaultPermit": false, "partners": [{"id": "eyecare", "endpoint": "https://eye.example/fhir",
                 "serviceLines": ["ophthalmology.cataract"], "timeout": "2.5s", "auth": {"type": "bearer", "token": "t"},
                 "retry": {"maximumAttempts": 3, "maximumAge": "24h", "baseBackoff": "250ms", "maximumBackoff": "5m"}}]}
                """#.utf8
            )
        )
        #expect(!configuration.consentDefaultPermit)
        let partner = try #require(configuration.partners.first)
        #expect(partner.timeout == .milliseconds(2500))
        #expect(partner.auth == .bearer(token: "t"))
        #expect(partner.retry.maximumAttempts == 3)
        #expect(partner.retry.maximumAge == .seconds(86_400))
        #expect(partner.retry.baseBackoff == .milliseconds(250))
        #expect(partner.retry.maximumBackoff == .seconds(300))
        #expect(ServeConfiguration.embedded.consentDefaultPermit)
        #expect(throws: ConfigurationError.self) {
            try ServeConfiguration.decode(
                Array(#"{"partners":[{"id":"p","endpoint":"http://x","timeout":"10"}]}"#.utf8)
            )
        }
        #expect(throws: ConfigurationError.self) {
            try ServeConfiguration.decode(Array(#"{"partners":[{"id":"p","endpoint":"ftp://x"}]}"#.utf8))
        }
    }

    @Test func secretsMayNameEnvironmentVariables() throws {
        let hash = Sender.hash(token: "t0ken")
        let file = Array(
            #"""
            {"senders": [{"name": "h", "tokenHash": "${HASH}", "allowedTypes": ["*"]}],
             "partners": [{"id": "p", "endpoint": "http://sink:9090/notify", "hmacSecret": "${SINK_SECRET}",
                           "auth": {"type": "basic", "user": "u", "password": "${PASSWORD}"}},
                          {"id": "q", "endpoint": "http://q", "hmacSecret": "${literal",
                           "auth": {"type": "bearer", "token": "$TOKEN"}}]}
            """#.utf8
        )
        let environment = ["HASH": hash, "SINK_SECRET": "s3cret", "PASSWORD": "pw"]
        let configuration = try ServeConfiguration.decode(file, environment: environment)
        #expect(configuration.senders.map(\.tokenHash) == [hash])
        #expect(configuration.partners.map(\.hmacSecret) == ["s3cret", "${literal"])
        #expect(configuration.partners.map(\.auth) == [.basic(user: "u", password: "pw"), .bearer(token: "$TOKEN")])
        for missing in ["HASH", "SINK_SECRET", "PASSWORD"] {
            var partial = environment
            partial[missing] = ""
            do {
                _ = try ServeConfiguration.decode(file, environment: partial)
                Issue.record("an empty \(missing) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.description.contains("environment variable \(missing)"))
            }
            partial[missing] = nil
            #expect(throws: ConfigurationError.self) { try ServeConfiguration.decode(file, environment: partial) }
        }
    }

    @Test func onlyWholeShellNamesAreReferences() {
        #expect(SecretSetting.referencedVariable("${TANDEM_SINK_SECRET}") == "TANDEM_SINK_SECRET")
        #expect(SecretSetting.referencedVariable("${_x1}") == "_x1")
        for text in ["${}", "${1X}", "${A-B}", "x${A}", "${A}x", "$A", "{A}", "${A:-d}", "${É}"] {
            #expect(SecretSetting.referencedVariable(text) == nil, "\(text)")
        }
    }

    @Test func composeConfigurationDecodesWithItsEnvironment() throws {
        let bytes = try Data(contentsOf: Self.root.appendingPathComponent("deploy/tandem.compose.json"))
        let environment = [
            "TANDEM_SENDER_TOKEN_HASH": Sender.hash(token: "compose-token"), "TANDEM_SINK_HMAC_SECRET": "s3cret",
        ]
        let configuration = try ServeConfiguration.decode(Array(bytes), environment: environment)
        #expect(configuration.listen == .init(host: "0.0.0.0", port: 8080))
        #expect(configuration.senders.map(\.tokenHash) == [Sender.hash(token: "compose-token")])
        #expect(configuration.partners.map(\.id) == ["sink"])
        #expect(configuration.partners.first?.hmacSecret == "s3cret")
        #expect(configuration.partners.first?.endpoint.host == "sink")
        #expect(throws: ConfigurationError.self) { try ServeConfiguration.decode(Array(bytes)) }
    }

    @Test func deliverySettingsTakeFriendlyDurations() throws {
        let configuration = try ServeConfiguration.decode(
            Array(
                #"""
                {"delivery": {"concurrency": 8, "claimBatch": 2, "run": 3, "pollInterval": "20ms", "lease": "30s",
                 "idleConnectionsPerPartner": 3, "transferThreads": 4, "forwarding": "every-replica"}}
                """#.utf8
            )
        )
        #expect(
            configuration.delivery.forwarder
                == Forwarder.Configuration(
                    concurrency: 8,
                    claimBatch: 2,
                    pollInterval: .milliseconds(20),
                    lease: .seconds(30),
                    run: 3
                )
        )
        #expect(configuration.delivery.idleConnectionsPerPartner == 3)
        #expect(configuration.delivery.transferThreads == 4)
        #expect(configuration.delivery.forwarding == .everyReplica)
        let partial = try ServeConfiguration.decode(Array(#"{"delivery": {"concurrency": 2}}"#.utf8))
        #expect(partial.delivery.forwarder.concurrency == 2)
        #expect(partial.delivery.forwarder.claimBatch == 2, "the default batch is capped by the concurrency")
        #expect(partial.delivery.forwarder.lease == Forwarder.Configuration().lease)
        #expect(partial.delivery.forwarder.run == Forwarder.Configuration().run)
        #expect(partial.delivery.forwarding == .elected)
        #expect(ServeConfiguration.embedded.delivery == DeliverySettings())
    }

    @Test(arguments: [
        (#"{"delivery": {"concurency": 8}}"#, "unknown keys in delivery: concurency"),
        (#"{"delivery": {"concurrency": 0}}"#, "delivery.concurrency"),
        (#"{"delivery": {"concurrency": 4, "claimBatch": 5}}"#, "delivery.claimBatch"),
        (#"{"delivery": {"pollInterval": "0ms"}}"#, "delivery.pollInterval"),
        (#"{"delivery": {"run": 0}}"#, "delivery.run"),
        (#"{"delivery": {"pollInterval": "soon"}}"#, "pollInterval"),
        (#"{"delivery": {"idleConnectionsPerPartner": -1}}"#, "delivery.idleConnectionsPerPartner"),
        (#"{"delivery": {"transferThreads": 0}}"#, "delivery.transferThreads"),
        (#"{"delivery": {"forwarding": "all"}}"#, "delivery.forwarding must be \"elected\" or \"every-replica\""),
        (
            #"{"delivery": {"lease": "5s"}, "partners": [{"id": "slow", "endpoint": "http://x", "timeout": "10s"}]}"#,
            "delivery.lease"
        ),
    ])
    func impossibleDeliverySettingsAreRefusedByName(json: String, naming: String) {
        #expect {
            try ServeConfiguration.decode(Array(json.utf8))
        } throws: { error in
            (error as? ConfigurationError)?.description.contains(naming) == true
        }
    }

    @Test func tokenHashPrintsTheSHA256() throws {
        let result = try CLIRunner.run(["token-hash", "tandem-demo-token"])
        #expect(result.status == 0)
        #expect(result.standardOutput == Sender.hash(token: "tandem-demo-token") + "\n")
    }
}
