import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore

/// The console's answers: pages, redirects after a change (POST, then 303 to a page: reloading never
/// repeats a change), and its own assets.
enum ConsoleResponse {
    static func page(_ html: HTML, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html.markup))
        )
    }

    /// 303 See Other to a console path.
    static func redirect(_ path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path])
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: type, .cacheControl: "private, max-age=3600"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
