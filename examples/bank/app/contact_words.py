"""The bank's words for the customer's contact details: what is held asked for, the bank's own numbers, and a
move abroad told with a new address."""

from __future__ import annotations

import re

# The mobile number or e-mail address we hold, asked about ("what email have you got for me on file"): read back,
# not a change. Only as a what/which question: "can i swap the mobile number you have for me" is a change.
_CONTACT_HELD = re.compile(r"\b(?:what|which)\b[^.?!]{0,25}\b(?:e-?mail|phone|mobile|number|address|postcode|"
                           r"contact details)\b[^.?!]{0,30}\b(?:have|got|hold|on file|on record|registered|(?:is|are)"
                           r" (?:on|linked to|attached to) (?:my|the) (?:account|profile))\b"
                           # "can you read back my contact details"
                           r"|\bread\b[^.?!]{0,15}\b(?:back|out)\b[^.?!]{0,20}\b(?:contact|address|e-?mail|phone|"
                           r"mobile|details)\b", re.IGNORECASE)
# "what's my address on file?", "whats my current phone number?": what is held, asked for without a new value.
_MINE_HELD = re.compile(r"^\W*(?:what|whats|what's|which)\b(?:\s+is|\s+are)?\s+(?:my\s+|the"
                        r"\s+(?=.*\b(?:on file|on record|you have|you've got)\b))(?:current\s+|registered\s+|"
                        r"existing\s+|home\s+|present\s+)?(?:address|postcode|post code|phone|mobile|e-?mail|"
                        r"contact details)\b(?:\s+(?:address|number|no))?(?:\s+(?:on file|on record|you have|"
                        r"you've got|registered)(?:\s+for me)?)?(?:\s+(?:now|then|please|again))?\W*$"
                        # "and email?" right after the details were read back: what is held, not a change
                        r"|^\W*(?:and|what about|how about)\s+(?:my\s+|the\s+)?(?:e-?mail|phone|mobile|address|"
                        r"postcode)(?:\s+(?:address|number))?\W*$", re.IGNORECASE)
_OUR_NUMBER = re.compile(r"\b(?:call|ring|phone you|contact you|your (?:phone )?number|fraud|helpline)\b",
                         re.IGNORECASE)
_DETAILS_NAMED = re.compile(r"\b(?:account\s+(?:number|no\b)|sort\s*code|card\s+(?:number|no\b))", re.IGNORECASE)
# "customer services phone number?": one of our numbers asked for, answered from the documents.
_NUMBER_ASKED = re.compile(r"\b(?:phone|contact|telephone|tel)\s+(?:number|no\b)|\bnumber (?:for|to (?:call|ring))\b|"
                           r"\bwhat number\b", re.IGNORECASE)
# "i have a blind relative, can atms talk to her?": a question about a thing, no person asked for (a ticket was
# opened without asking).
_A_THING_ASKED = re.compile(r"^(?!.*\b(?:person|human|agent|advis[eo]r|someone|somebody|colleague|staff|manager|"
                            r"people)\b)(?:[^.?!]*[.,]\s*)?(?:can|could|do|does|will|is|are)\s+(?!(?:i|we|you|someone|somebody|"
                            r"anyone|there|u)\b)\w+\b[^.!]*\?\W*$", re.IGNORECASE)
# "my dad is deaf, can he use sign language to talk to you": what someone else can do, asked without a question
# mark; no person asked for (a ticket was opened).
_THEY_ASK = re.compile(r"^(?!.*\b(?:person|human|agent|advis[eo]r|someone|somebody|colleague|staff|manager|people)\b)"
                       r"(?:[^.?!]*[.,]\s*)?(?:can|could|does|will|is)\s+(?:he|she|they)\b", re.IGNORECASE)
_CONTACT_NAMED = re.compile(r"\b(?:phone|mobile|e-?mail|landline|contact)\b", re.IGNORECASE)
# "im moving to spain next month, change my address to ...": the accounts are for people living in the UK, which
# the documents explain; the address tool takes UK postcodes only.
_MOVING_ABROAD = re.compile(r"\b(?:mov(?:e|es|ing|ed)|relocat\w*|emigrat\w*|living|live)\b"
                            r"(?:(?!money|cash|funds|savings|pounds|£)[^.?!]){0,20}\b(?:abroad|overseas|"
                            r"out of the (?:uk|country)|to (?:spain|france|portugal|italy|germany|ireland|australia|"
                            r"canada|america|the us|the usa|usa|dubai|the uae|new zealand|the netherlands|poland|"
                            r"india|pakistan|china|japan|greece|cyprus|malta|thailand|south africa))\b", re.IGNORECASE)
