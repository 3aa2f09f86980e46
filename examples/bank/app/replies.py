"""The bank assistant's fixed replies: greetings, refusals, where to go for what the chat does not do, and the
replies for a scam, a complaint, money worries, someone in crisis and someone being abused. The bank's facts
in them are the documents' own; the crisis and abuse replies also give the UK's public emergency and helpline
numbers."""

from __future__ import annotations

REPLIES = {
    "greeting": "Hello! I can answer questions about our accounts, cards and fees, and help with your balance, "
                "sort code and account number, recent transactions, your cards, freezing a card, lost or stolen "
                "cards, disputes and your contact details.",
    "not_caught": "Sorry, I didn't catch that. I can answer questions about our accounts, cards and fees, and help "
                  "with your balance, sort code and account number, recent transactions, your cards, freezing a "
                  "card, lost or stolen cards, disputes and your contact details.",
    "thanks_goodbye": "You're welcome. Have a good day!",
    # A message in another language: the documents and the classifier are English (`language.looks_foreign`).
    "not_english": "Sorry, I can only read messages in English, and only help with banking with us. If your card "
                   "is lost or stolen, call 0808 157 0247, 24 hours a day; for anything else, call Customer "
                   "Services on 03069 990100.",
    "out_of_scope": "Sorry, I can only help with banking with us: our accounts, cards and policies, and your own "
                    "accounts and cards.",
    "human_handoff": "I've passed our conversation to a colleague, who will get back to you within 2 working days. "
                     "If your card is lost or stolen or someone is taking money from your account, don't wait: "
                     "call 0808 157 0247, 24 hours a day.",
    "not_in_chat": "I can't make payments or transfers, or change an overdraft, from this chat. You can make "
                   "payments and transfers in the Larkspur app or Online Banking, and apply for an overdraft or "
                   "change its limit in the app under Account settings, then Overdraft. If you'd rather talk it "
                   "through, ask me for a person.",
    # "does the bank ever ask for my pin?": the documents' list (what-we-will-never-ask.md), said whole, since a
    # single sentence quoted from nearby ("we can't tell you your PIN over the phone") read as the opposite.
    # The documents' own words (what-we-will-never-ask.md).
    "suspicious_message": "Don't click any links, open attachments or call numbers in the message: our texts never "
                          "contain links to log in. Forward suspicious texts to 7726, the free spam reporting "
                          "service on UK networks, and suspicious e-mails to report@phishing.gov.uk. If you've "
                          "already entered your details after following a link, call our fraud team straight away "
                          "on 0808 157 0247, 24 hours a day.",
    "never_ask": "Larkspur will never ask you to tell us your full PIN, app passcode or Online Banking password, to "
                 "read out or forward a one-time passcode we've sent you, to move money to a \"safe account\", to "
                 "install remote-access software, or to approve a payment in the app that you didn't start. When "
                 "you call us, or we call you, we may ask for your name, date of birth and postcode, 2 characters "
                 "of your memorable word, or to confirm a notification in the app. If anyone asks for more, it's a "
                 "scam: hang up and call our fraud team on 0808 157 0247, 24 hours a day.",
    "my_mandates": "I can't see your direct debits or standing orders from this chat. They're in the Larkspur app "
                   "under Payments, then Direct debits (or Standing orders), where you can also cancel one.",
    "overdraft_limit": "I can't see overdraft limits from this chat. You can see and manage your arranged "
                       "overdraft in the Larkspur app under Account settings, then Overdraft, or call Customer "
                       "Services on 03069 990100.",
    # The input guard's reply: it also stops some genuine messages ("someone pretending to be the bank called
    # me" reads like role-play to it), so it says where a scam victim can turn.
    "blocked": "I can't help with that request. Ask me about your accounts, cards or our policies. If you think "
               "you've been scammed, call our fraud team straight away on 0808 157 0247, 24 hours a day.",
    # For a scam under way as much as one that is over: stop first, then the fraud line. The "never" list and
    # the hang-up advice are the documents' own (what-we-will-never-ask).
    "scam": "Please stop: don't send or move any money, don't share any codes, your PIN or card details, and "
            "don't install anything you've been asked to. Larkspur and the police will never ask you to move money "
            "to a \"safe account\", hand your card, PIN or cash to a courier, read out a code we've sent you, or lie "
            "about why you're making a payment. If someone is on the phone, hang up. Then call our fraud team on "
            "0808 157 0247, 24 hours a day, from a different phone or after waiting 5 minutes: if money has "
            "already gone, the sooner you tell us, the more likely we can stop the payment or recover it. If you "
            "were tricked into sending money by bank transfer, we reimburse up to £85,000 per claim when it went by "
            "Faster Payments or CHAPS to a UK account and you tell us within 13 months: call the fraud team or tap "
            "the payment in the app and choose I was scammed. I've also passed our conversation to a colleague.",
    # The documents' own words (bereavement.txt).
    "bereavement": "I'm so sorry for your loss. Our Bereavement Support team will guide you through each step: call "
                   "them on 03069 990400 (Monday to Friday 9am to 5pm), use the bereavement notification form on "
                   "our website, or visit any Larkspur branch. You don't need to have all the documents before you "
                   "get in touch; they'll tell you exactly what they need, usually the death certificate, photo ID and "
                   "proof of address for the executor, and the will if there is one. A joint account passes to the "
                   "surviving holder, who can carry on using it, and we "
                   "can pay a funeral director's invoice directly from the person's account. If you'd like, I can "
                   "also ask a colleague to contact you.",
    "cancel_card": "I can't cancel a card for good from this chat. If it's been lost or stolen, tell me and I'll block "
                   "it and send a replacement; if you just want to stop it being used for now, I can freeze it. To "
                   "close a card or an account, call Customer Services on 03069 990100.",
    # A yes to the colleague the crisis reply offers: the ticket is a crisis one, and the help lines are said again.
    "crisis_handoff": "Thank you for telling me. I've asked a colleague to contact you as a priority. Until they do, "
                      "if you feel you might act on these thoughts, please call 999 now, and Samaritans are there "
                      "for you any time, day or night, on 116 123.",
    "abuse_handoff": "I've asked a colleague to contact you as a priority, in confidence. If you're in danger, please "
                     "call 999.",
    # Said again to whatever follows the scam reply ("they know my address, it seems real, what should I do?").
    "scam_follow_up": "Please don't send or move any money, give anyone your card, PIN or a code, or install "
                      "anything, however real they seem: criminals often know your name, address and card "
                      "details. Hang up and call our fraud team on 0808 157 0247, 24 hours a day, from a different "
                      "phone or after waiting 5 minutes. A colleague has your case and what you've told me.",
    "nothing_to_do": "OK, I haven't changed anything on your cards. If you want to freeze or block one later, just "
                     "ask.",
    # Not from the documents, which say nothing on it: 999 and Samaritans are the UK's public lines, and the
    # Customer Services line is the one the documents give for money worries.
    "crisis": "I'm really sorry you're going through this, and I'm glad you told me. If you're in danger, or might "
              "act on thoughts of harming yourself, please call 999 now. You can talk to Samaritans any time, day "
              "or night, for free on 116 123. If money worries are part of this, call our Customer Services on "
              "03069 990100 "
              "(Monday to Friday 8am to 8pm, Saturday 9am to 5pm): we won't judge you, and we can talk through "
              "options such as a repayment plan or freezing interest for a while. If you'd like, I can also ask a "
              "colleague to contact you.",
    # Someone close hurting, controlling or taking from the customer. 999 and the National Domestic Abuse
    # Helpline are the UK's public lines; the rest is the documents' (PIN changes, Customer Services).
    "abuse": "I'm sorry this is happening to you, and you don't have to deal with it alone. If you're in danger, "
             "please call 999. The National Domestic Abuse Helpline is free and open 24 hours a day on "
             "0808 2000 247. To keep your money safe, I can freeze your card now if you ask me, and you can change "
             "your PIN at any Larkspur ATM. Our Customer Services team on 03069 990100 can talk with you in "
             "confidence about protecting your accounts. If you'd like, I can also ask a colleague to contact you.",
    # The documents' own words on money worries (unarranged-overdrafts, "If you're struggling").
    "card_declined_theirs": "I can only see your own cards here, so I can't tell why someone else's card was "
                            "declined. The cardholder can check it in the app under Cards (a frozen card, or a "
                            "limit reached, shows there), or call Customer Services on 03069 990100.",
    "money_worries": "I'm sorry things are hard at the moment. If you're worried about money, call Customer Services "
                     "on 03069 990100 (Monday to Friday 8am to 8pm, Saturday 9am to 5pm). We can talk about options "
                     "such as a repayment plan, and we may be able to freeze interest for a period while you get "
                     "back on track. We won't judge you, and talking to us early usually gives you more options. If "
                     "you'd like, I can also ask a colleague to contact you.",
    "complaint": "I'm sorry about this. I've logged your complaint: we'll acknowledge it in writing within 5 working "
                 "days and send a final response within 8 weeks, or within 15 working days if it is about a "
                 "payment (a card payment, transfer or direct debit).",
}
