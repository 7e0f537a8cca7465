import Store

/// How one sender's ids map onto the gateway's: the rules every write, reference and read of that sender
/// follows (the Identity article of this target's documentation explains them).
///
/// A value over a ``NameLookup`` the store answered for the names a message uses; the writer checks the
/// outcome again inside the commit.
struct SenderNamespace: Sendable {
    let sender: String
    let lookup: NameLookup

    /// The gateway id a write of the sender's `name` lands on: the resource the sender already calls
    /// that; else a gateway id of the sender's own resource (a client may PUT to the `Location` it was
    /// given); else the id derived from the sender's id.
    func writeTarget(_ name: ResourceName) -> String {
        if let id = self.lookup.aliases[name] { return id }
        if self.lookup.owners[name] == self.sender { return name.id }
        return ServerAssignedID.derived(sender: self.sender, type: name.type, senderID: name.id)
    }

    /// The gateway id a reference of the sender to `name` points at: the sender's own resource by that
    /// id; else any existing resource with that gateway id (how one organisation refers to another's
    /// referral); else the id the sender's resource will have when it comes (references may arrive before
    /// what they name).
    func referenceTarget(_ name: ResourceName) -> String {
        if let id = self.lookup.aliases[name] { return id }
        if self.lookup.owners[name] != nil { return name.id }
        return ServerAssignedID.derived(sender: self.sender, type: name.type, senderID: name.id)
    }

    /// The gateway id of the sender's own resource it calls `name` (its own id, or the gateway id it was
    /// given); nil when the sender has none by that name.
    func ownResource(_ name: ResourceName) -> String? {
        if let id = self.lookup.aliases[name] { return id }
        if self.lookup.owners[name] == self.sender { return name.id }
        return nil
    }
}
