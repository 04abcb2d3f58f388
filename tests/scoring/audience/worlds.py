"""Hand-made worlds for the audience tests: a pod, a bot, a mass-market star, a niche expert."""

from __future__ import annotations

from tests.scoring.builders import World


def pod_world() -> World:
    """Six pod members reacting to every post of each other, among ordinary mutual fans.

    Ordinary people post weekly and trade a reaction or two with neighbours
    (many weak mutual ties, as in real networks); a close trio trades a lot
    but is only a triangle; pod members also read ordinary people.
    """
    world = World()
    pod = [f"pod{i}" for i in range(6)]
    for day in range(40):
        for member in pod:
            post = world.post(member, day)
            for mate in pod:
                if mate != member:
                    world.react(mate, member, day, kind="like", post=post)
    people = 60
    for i in range(people):
        for day in range(0, 40, 7):
            post = world.post(f"p{i}", day)
            world.react(f"p{(i + 1 + day % 3) % people}", f"p{i}", day, kind="reply", post=post)
            world.react(f"p{(i - 1 - day % 3) % people}", f"p{i}", day + 1, kind="like",
                        post=post)
            world.react(f"pod{i % 6}", f"p{i}", day + 2, kind="like", post=post)
    for a, b in (("p0", "p1"), ("p1", "p2"), ("p0", "p2")):  # a close trio trading a lot
        for day in range(0, 40, 2):
            world.react(a, b, day, kind="reply")
            world.react(b, a, day, kind="reply")
    return world


def bot_world() -> World:
    """40 people who post and read a few friends; one account liking everyone, every day.

    And a keen fan who reacts 30 times a day, all to p0: busy, but not a machine.
    """
    world = World()
    people = [f"p{i}" for i in range(40)]
    latest: dict[str, str] = {}
    for day in range(40):
        for i, person in enumerate(people):
            if (day + i) % 3 == 0:
                latest[person] = world.post(person, day)
                for friend in (people[(i + 1) % 40], people[(i + 5) % 40]):
                    world.react(friend, person, day, kind="like", post=latest[person])
        for person, post in latest.items():  # the bot likes everyone's latest post daily
            world.react("bot", person, day, kind="like", post=post)
        if "p0" in latest:
            world.react("fan", "p0", day, kind="like", post=latest["p0"], times=30)
        if day % 4 == 0:
            world.post("fan", day)
    return world


def star_and_niche(outside_fans: int, audience_fans: int, *, posts: int = 6) -> World:
    """'star' is read by ``outside_fans`` outsiders, 'niche' by ``audience_fans`` members a0…"""
    world = World()
    for author, fans in (("star", [f"out{i}" for i in range(outside_fans)]),
                         ("niche", [f"a{i}" for i in range(audience_fans)])):
        post_ids = [world.post(author, 2 + 4 * k) for k in range(posts)]
        for i, fan in enumerate(fans):
            world.react(fan, author, 3 + 4 * (i % posts), post=post_ids[i % posts])
    for i in range(audience_fans):  # members also talk among themselves
        world.post(f"a{i}", 1)
        world.react(f"a{(i + 1) % audience_fans}", f"a{i}", 2, kind="reply")
    return world
