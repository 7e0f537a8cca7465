public import Foundation
import HTTPTypes

/// Who is looking and where: what every signed-in page's frame needs.
public struct ConsoleChrome: Sendable, Hashable {
    /// The console's sections, in the navigation's order.
    public enum Section: String, Sendable, Hashable, CaseIterable {
        case episodes, messages, deliveries, measures

        var title: String { self.rawValue.prefix(1).uppercased() + self.rawValue.dropFirst() }
    }

    public var operatorName: String
    /// The session's CSRF token, put in every form.
    public var csrf: String
    public var section: Section

    public init(operatorName: String, csrf: String, section: Section) {
        self.operatorName = operatorName
        self.csrf = csrf
        self.section = section
    }
}

/// The frame of every page: the head (the gateway's own stylesheet and script, nothing from elsewhere),
/// a skip link, the navigation with the current section marked, the operator and the sign-out button.
public enum ConsoleLayout {
    public static func page(title: String, chrome: ConsoleChrome?, notice: String? = nil, body: HTML) -> HTML {
        let navigation: HTML
        if let chrome {
            let links = ConsoleChrome.Section.allCases.map { section -> HTML in
                let current: HTML = section == chrome.section ? #" aria-current="page""# : .empty
                return "<li><a href=\"/console/\(section.rawValue)\"\(current)>\(section.title)</a></li>"
            }
            navigation = """
                <header class="bar"><span class="brand">Tandem console</span>\
                <nav aria-label="Sections"><ul>\(links)</ul></nav>\
                <form class="who" method="post" action="/console/sign-out">\(Self.csrfField(chrome.csrf))\
                <span>Signed in as <strong>\(chrome.operatorName)</strong></span>\
                <button type="submit">Sign out</button></form></header>
                """
        } else {
            navigation = #"<header class="bar"><span class="brand">Tandem console</span></header>"#
        }
        let noticeHTML: HTML = notice.map { "<p class=\"notice\" role=\"status\">\($0)</p>" } ?? .empty
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">\
            <meta name="viewport" content="width=device-width, initial-scale=1">\
            <title>\(title) · Tandem console</title>\
            <link rel="stylesheet" href="/console/assets/console.css">\
            <script src="/console/assets/console.js" defer></script></head>
            <body><a class="skip" href="#main">Skip to content</a>\(navigation)
            <main id="main" tabindex="-1"><h1>\(title)</h1>\(noticeHTML)\(body)\
            <p class="live" aria-live="polite" id="live-status"></p></main></body></html>
            """
    }

    /// The hidden field every change carries.
    public static func csrfField(_ token: String) -> HTML {
        "<input type=\"hidden\" name=\"_csrf\" value=\"\(token)\">"
    }

    /// A time as the console shows it: ISO 8601 in UTC, to the second, in a `<time>` element.
    public static func time(_ date: Date?) -> HTML {
        guard let date else { return "<span class=\"none\">—</span>" }
        let text = date.formatted(.iso8601)
        return "<time datetime=\"\(text)\">\(text.replacingOccurrences(of: "T", with: " "))</time>"
    }

    /// A FHIR date or dateTime as the sender wrote it.
    public static func fhirTime(_ text: String?) -> HTML {
        guard let text, !text.isEmpty else { return "<span class=\"none\">—</span>" }
        return "<time datetime=\"\(text)\">\(text.replacingOccurrences(of: "T", with: " "))</time>"
    }

    /// Hours with one decimal, or a dash.
    public static func hours(_ value: Double?) -> String {
        guard let value else { return "—" }
        return String(format: "%.1f h", value)
    }
}

/// A page for a refusal or a failure.
public enum ErrorPage {
    public static func render(_ error: ConsoleError) -> HTML {
        ConsoleLayout.page(
            title: "\(error.status.code) \(error.status.reasonPhrase)",
            chrome: nil,
            body: """
                <p class="error" role="alert">\(error.message)</p>\
                <p><a href="/console/episodes">Back to the console</a></p>
                """
        )
    }
}

/// The sign-in form.
public enum SignInPage {
    public static func render(csrf: String, name: String, notice: String?) -> HTML {
        ConsoleLayout.page(
            title: "Sign in",
            chrome: nil,
            notice: notice,
            body: """
                <form class="sign-in" method="post" action="/console/sign-in">\(ConsoleLayout.csrfField(csrf))\
                <p><label for="name">Operator name</label>\
                <input id="name" name="name" autocomplete="username" required autofocus value="\(name)"></p>\
                <p><label for="password">Password</label>\
                <input id="password" name="password" type="password" autocomplete="current-password" required></p>\
                <p><button type="submit">Sign in</button></p></form>
                """
        )
    }
}
