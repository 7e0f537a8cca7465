import CoManagement
import FHIRCore
import Foundation
import Server
import Store
import Testing

@Suite struct ConsoleRenderingTests {
    static let hostile = #"<img src=x onerror="alert('x')">&"#
    static let chrome = ConsoleChrome(operatorName: "ops", csrf: "token", section: .episodes)

    @Test func interpolatedTextIsEscapedAndMarkupIsNot() {
        let html: HTML = "<p title=\"\(Self.hostile)\">\(Self.hostile)</p>\(HTML("<br>"))"
        #expect(
            html.markup == "<p title=\"&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;\">"
                + "&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;</p><br>"
        )
    }

    @Test func pathComponentsArePercentEncoded() {
        let html: HTML = "<a href=\"/console/episodes/\(component: "a/b?c=\"d\"")\">"
        #expect(html.markup == "<a href=\"/console/episodes/a%2Fb%3Fc%3D%22d%22\">")
    }

    @Test func episodeFromHostileContentRendersNoMarkupOfIts() throws {
        var episode = try Self.episode()
        episode.patient.name = Self.hostile
        episode.serviceLine = Self.hostile
        episode.timeline = [
            TimelineEvent(
                number: 1,
                kind: .referralCreated,
                at: "2026-01-01T10:00:00Z",
                summary: Self.hostile,
                source: "x"
            )
        ]
        let page = EpisodePage.render(chrome: Self.chrome, episode: episode, told: []).markup
        #expect(!page.contains("<img"))
        #expect(page.contains("&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;"))
        #expect(page.contains("<li id=\"event-1\" value=\"1\">"))
    }

    @Test func timelineSaysWhichPartnersWereToldAndWhen() throws {
        var episode = try Self.episode()
        let event = TimelineEvent(
            number: 2,
            kind: .referralAccepted,
            at: "2026-01-02T10:00:00Z",
            summary: "accepted",
            source: "x"
        )
        episode.timeline = [event]
        let record = DeliveryRecord(
            row: 7,
            deliveryID: "d-7",
            partnerID: "eyecare",
            episodeID: episode.id,
            eventNumber: 1,
            event: event,
            state: .delivered,
            attempts: 1,
            nextAttemptAt: Date(timeIntervalSince1970: 0),
            createdAt: Date(timeIntervalSince1970: 0)
        )
        let told = EpisodePage.Told(record: record, deliveredAt: Date(timeIntervalSince1970: 1_767_348_000))
        let page = EpisodePage.render(chrome: Self.chrome, episode: episode, told: [told]).markup
        #expect(page.contains("<span class=\"partner\">eyecare</span>"))
        #expect(page.contains("<span class=\"status delivered\">delivered</span>"))
        #expect(page.contains("2026-01-02T10:00:00Z"))
    }

    @Test func formsCarryTheSessionsCSRFToken() {
        let content = DeliveriesPage.Content(
            outboxes: [PartnerOutbox(partner: "eyecare", waiting: 0, nextDue: nil, oldestWaiting: nil, dead: 2)],
            recent: [],
            dead: [],
            attempts: []
        )
        let page = DeliveriesPage.render(chrome: Self.chrome, content: content, notice: nil).markup
        let forms = page.components(separatedBy: "<form").count - 1
        let tokens = page.components(separatedBy: "name=\"_csrf\" value=\"token\"").count - 1
        #expect(forms == 2)  // sign-out and requeue
        #expect(tokens == forms)
    }

    @Test func chartDrawsEachEpisodesTurnaround() throws {
        var episode = try Self.episode()
        episode.measures.referralTurnaroundHours = 26.5
        episode.referrals = []
        let series = [
            MeasureSeries.Series(
                name: "ophthalmology.cataract",
                points: [
                    MeasureSeries.Point(
                        at: 1_767_348_000,
                        hours: 26.5,
                        episodeID: "e1",
                        serviceLine: "ophthalmology.cataract"
                    )
                ]
            )
        ]
        let chart = LineChart.render(id: "turnaround-chart", title: "Turnaround", series: series).markup
        #expect(chart.contains("<svg id=\"turnaround-chart\""))
        #expect(chart.contains("<circle"))
        #expect(chart.contains("26.5 h"))
    }

    @Test func signInPageNeverEchoesMarkup() {
        let page = SignInPage.render(csrf: "t", name: "\"><script>x</script>", notice: nil).markup
        #expect(!page.contains("<script>x"))
    }

    @Test func passwordHashesRoundTripAndVerify() throws {
        let hash = ConsoleFixture.passwordHash
        let text = hash.description
        #expect(text.hasPrefix("pbkdf2-sha256$210000$"))
        #expect(PasswordHash(text) == hash)
        #expect(hash.verifies(ConsoleFixture.password))
        #expect(!hash.verifies("wrong"))
        #expect(
            PasswordHash("pbkdf2-sha256$1000$\(text.split(separator: "$")[2])$\(text.split(separator: "$")[3])") == nil
        )
        #expect(PasswordHash("plain") == nil)
    }

    /// The cataract scenario's evaluated episode, from the golden document in `Samples/`.
    /// The overdue list comes from the facts of every episode (most overdue items first, the first 200 of
    /// them); the charts say when they draw only the most recently changed episodes.
    @Test func measuresListTheMostOverdueEpisodesOfTheirFactsAndSayWhenChartsAreCut() throws {
        var facts = MeasureFacts(try Self.episode())
        var overdue = (0..<205).map { index in
            facts.overdue.activities = 1 + index % 3
            facts.overdue.reports = index == 7 ? 9 : 0
            return EpisodeMeasureFacts(episodeID: "e\(index)", facts: facts)
        }
        facts.overdue.activities = 0
        overdue.append(EpisodeMeasureFacts(episodeID: "idle", facts: facts))
        let page = MeasuresPage.render(
            chrome: Self.chrome,
            charted: [try Self.episode()],
            chartLimit: 1,
            rows: [],
            overdue: overdue,
            partners: [],
            partner: nil
        ).markup
        let listed = page.components(separatedBy: "<tr><td><a href=\"/console/episodes/").dropFirst()
        #expect(listed.count == 200)
        #expect(listed.first?.hasPrefix("e7\"") == true, "nine overdue reports and an activity come first")
        #expect(!page.contains("/console/episodes/idle\""), "an episode with nothing overdue is not listed")
        #expect(page.contains("The 200 with the most overdue items of 205."))
        #expect(page.contains("The charts draw the 1 most recently changed episodes."))
    }

    static func episode() throws -> Episode {
        struct Document: Decodable { var episodes: [Episode] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Samples/ophthalmology.cataract/evaluated.episode.json")
        let document = try JSONDecoder().decode(Document.self, from: Data(contentsOf: url))
        return try #require(document.episodes.first)
    }
}
