import Foundation
import Hummingbird

/// `/v1/mailboxes/{mailbox}/greetings`: upload (validated; `?convert=true` transcodes first),
/// list, download, delete; at most `limits.greetingsPerMailbox` per mailbox.
struct GreetingRoutes {
    let deps: TimbreApplication.Dependencies
    var greetings: GreetingService { deps.media.greetings }

    func register(on router: Router<TimbreApplication.Context>) {
        let limit = deps.config.api.maxBodyBytes
        router.put("/v1/mailboxes/:mailbox/greetings/:name") { request, context -> Response in
            let mailbox = try context.parameters.require("mailbox")
            let name = try context.parameters.require("name")
            let convert = request.uri.queryParameters.get("convert").map { $0 == "true" || $0 == "1" } ?? false
            let body = try await JSONBody.collect(request, limit: limit)
            let stored = try greetings.put(mailbox: mailbox, name: name, data: body, convert: convert)
            deps.events.publish("greeting.stored", ["mailbox": .string(mailbox), "name": .string(name)])
            return JSONBody.response(stored, status: .created)
        }
        router.get("/v1/mailboxes/:mailbox/greetings") { _, context -> Response in
            let mailbox = try context.parameters.require("mailbox")
            return JSONBody.response(try greetings.list(mailbox: mailbox))
        }
        router.get("/v1/mailboxes/:mailbox/greetings/:name") { _, context -> Response in
            let (data, type) = try greetings.get(mailbox: try context.parameters.require("mailbox"), name: try context.parameters.require("name"))
            return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.delete("/v1/mailboxes/:mailbox/greetings/:name") { _, context -> Response in
            let mailbox = try context.parameters.require("mailbox")
            let name = try context.parameters.require("name")
            try greetings.delete(mailbox: mailbox, name: name)
            deps.events.publish("greeting.deleted", ["mailbox": .string(mailbox), "name": .string(name)])
            return Response(status: .noContent)
        }
    }
}
