"""What the demo shows: the two memorandum partners as they present themselves, their rooms,
people, and a season of joint events written as the partners would write them — in Russian,
with English where the event is international. events.demo loads it.

Each event names only the partners that really take part in it (`with_`), in the role it
says: "совместно с" for a co-host, "при поддержке" for a supporter. Days are counted from the
day the demo is loaded; titles avoid seasons and dates so they stay true on any day.
"""

from dataclasses import dataclass, field

from events.enums import Audience, Category, EventFormat, EventStatus, Role

BIO, TECH = "biopharmcluster-northern", "technopolis-moscow"

PARTNERS = [
    {
        "slug": BIO,
        "name": "BioPharmCluster “Northern” (MIPT)",
        "short_name": "BioPharmCluster",
        "name_ru": "Биофармацевтический кластер «Северный» (МФТИ)",
        "short_name_ru": "Кластер «Северный»",
        "description": "Биофармацевтический кластер «Северный» на базе МФТИ объединяет "
                       "биотехнологические и фармацевтические компании кампуса в Долгопрудном: "
                       "лаборатории коллективного пользования, пилотное производство, экспертиза "
                       "по доклиническим и клиническим исследованиям.",
        "website": "https://mipt.ru",
        "color": "#1b7f5b",
        # (site, building, room, capacity, address, latitude, longitude)
        "venues": [
            ("Кампус МФТИ, Долгопрудный", "Лабораторный корпус", "Конференц-зал", 120,
             "Институтский пер., 9, Долгопрудный", 55.929, 37.518),
            ("Кампус МФТИ, Долгопрудный", "Лабораторный корпус", "Аудитория 2.14", 30,
             "Институтский пер., 9, Долгопрудный", 55.929, 37.518),
            ("Кампус МФТИ, Долгопрудный", "Физтех.Био", "Коворкинг", 60,
             "Институтский пер., 9, Долгопрудный", 55.930, 37.520),
        ],
        "staff": [("coordinator@northern.example", "Анна Соколова", Role.COORDINATOR),
                  ("staff@northern.example", "Павел Орлов", Role.STAFF)],
    },
    {
        "slug": TECH,
        "name": "Technopolis Moscow",
        "short_name": "Technopolis",
        "name_ru": "Технополис «Москва»",
        "short_name_ru": "Технополис",
        "description": "Особая экономическая зона «Технополис „Москва“»: площадки в Печатниках "
                       "и Алабушеве для высокотехнологичных производств — микроэлектроника, "
                       "медицинская техника, новые материалы, приборостроение.",
        "website": "https://technopolismoscow.ru",
        "color": "#2357b8",
        "venues": [
            ("Технополис, Печатники", "Корпус 1", "Конгресс-зал", 250,
             "Волгоградский просп., 42, Москва", 55.706, 37.727),
            ("Технополис, Печатники", "Корпус 5", "Переговорная A", 20,
             "Волгоградский просп., 42, Москва", 55.706, 37.727),
            ("Технополис, Алабушево", "Выставочный павильон", "Выставочное пространство", 150,
             "Площадка «Алабушево», Зеленоград", 56.004, 37.159),
        ],
        "staff": [("coordinator@technopolis.example", "Ирина Волкова", Role.COORDINATOR),
                  ("staff@technopolis.example", "Дмитрий Кузнецов", Role.STAFF)],
    },
]

# How each partner is written in text; a description may name a partner only if it takes part.
MENTIONS = {
    BIO: ("Северный", "BioPharmCluster", "Northern", "МФТИ", "MIPT"),
    TECH: ("Технополис", "Technopolis"),
}
ADMIN = ("admin@joint-events.example", "Администратор портала")

# (email, name, company, index of the partner whose site they reside on, language)
RESIDENTS = [
    ("maria@genotek.example", "Мария Иванова", "Genotek Labs", 0, "ru"),
    ("oleg@biomatrix.example", "Олег Петров", "БиоМатрикс", 0, None),
    ("elena@pharmasyn.example", "Elena Smirnova", "PharmaSyn", 0, "en"),
    ("sergey@cellon.example", "Сергей Фёдоров", "Целлон", 0, None),
    ("nina@immunotech.example", "Нина Морозова", "ИммуноТех", 0, "ru"),
    ("artem@molecula.example", "Артём Лебедев", "Молекула", 0, None),
    ("olga@microchip.example", "Ольга Козлова", "МикроЧип Системс", 1, "ru"),
    ("ivan@robotics.example", "Иван Новиков", "Robotics Lab", 1, None),
    ("tatiana@photonics.example", "Tatiana Popova", "Photonics Works", 1, "en"),
    ("alexey@composite.example", "Алексей Васильев", "Композитные материалы", 1, None),
    ("yulia@medequip.example", "Юлия Павлова", "МедЭквип", 1, "ru"),
    ("mikhail@aeronav.example", "Михаил Семёнов", "АэроНав", 1, None),
]

PROGRAMME = {
    "slug": "programme-2026-2027",
    "title_ru": "Совместная программа действий на 2026–2027 годы",
    "description_ru": "Мероприятия, согласованные дополнительным соглашением к меморандуму "
                      "о сотрудничестве между кластером «Северный» и Технополисом «Москва».",
    "title_en": "Joint action programme for 2026–2027",
    "description_en": "Events agreed in an additional agreement to the memorandum of "
                      "cooperation between BioPharmCluster “Northern” and Technopolis Moscow.",
}

ACCESSIBILITY = "Вход без ступеней, лифт на все этажи, гардероб у входа."
ACCEPT_NOTES = ("С удовольствием присоединимся.", "Дадим двух спикеров и анонс в рассылке.",
                "Участвуем, пришлём список экспертов до конца недели.")
SCHEDULED, DRAFT, PROPOSED, CANCELLED = (EventStatus.SCHEDULED, EventStatus.DRAFT,
                                         EventStatus.PROPOSED, EventStatus.CANCELLED)
IN_PERSON, ONLINE, HYBRID = EventFormat.IN_PERSON, EventFormat.ONLINE, EventFormat.HYBRID
PUBLIC, RESIDENTS_ONLY, INTERNAL = Audience.PUBLIC, Audience.RESIDENTS, Audience.INTERNAL


@dataclass(frozen=True)
class Invited:
    """Another partner in the event: role "co-host" or "supporter"; answer None = pending."""

    partner: str
    role: str
    answer: str | None = "accepted"
    note: str = ""


@dataclass(frozen=True)
class Spec:
    key: str  # the online room's address
    lead: str
    title: str
    summary: str
    description: str
    category: Category
    format: EventFormat
    audience: Audience
    day: int  # days from the day the demo is loaded
    hour: int
    minutes: int  # length
    room: int | None  # index into the lead partner's venues
    capacity: int | None
    status: EventStatus = SCHEDULED
    with_: tuple[Invited, ...] = ()
    programme: bool = False
    full: bool = False  # everyone registers: a full event with a waitlist
    cancel_reason: str = ""
    english: bool = False
    extra: dict = field(default_factory=dict)
    other: tuple[str, str, str] = ()  # title, summary and description in the other language


def co(partner: str, answer: str | None = "accepted", note: str = "") -> Invited:
    return Invited(partner, "co-host", answer, note)


def sup(partner: str, answer: str | None = "accepted", note: str = "") -> Invited:
    return Invited(partner, "supporter", answer, note)


C = Category
SEASON = [
    Spec("investor-breakfast-bio", BIO, "Инвестиционный завтрак: биотех на ранней стадии",
         "Утренняя встреча стартапов с фондами и бизнес-ангелами",
         "Кластер «Северный» и Технополис «Москва» приглашают основателей биотехнологических "
         "стартапов на завтрак с инвесторами.\n\n"
         "- пять коротких питчей компаний-резидентов (по 5 минут);\n"
         "- разбор сделок ранней стадии от венчурных партнёров;\n"
         "- свободное общение за кофе.\n\n"
         "Регистрация обязательна: число мест ограничено залом.",
         C.NETWORKING, IN_PERSON, PUBLIC, 5, 9, 120, 2, 40, with_=(co(TECH),), programme=True,
         other=("Investor breakfast: early-stage biotech",
                "A morning meeting of start-ups with funds and business angels",
                "BioPharmCluster “Northern” and Technopolis Moscow invite founders of biotech "
                "start-ups to breakfast with investors.\n\n"
                "- five short pitches from resident companies (5 minutes each);\n"
                "- a review of early-stage deals by venture partners;\n"
                "- informal networking over coffee.\n\n"
                "Registration is required: the number of seats is limited by the size of the "
                "room.")),
    Spec("microelectronics-medtech", TECH, "Микроэлектроника для медицинских изделий",
         "Как производителям электроники выйти на рынок медтехники",
         "Семинар для производителей электронных компонентов, которые хотят работать "
         "с медицинскими изделиями. Инженеры Технополиса расскажут о чистых помещениях "
         "и контрактном производстве.\n\n"
         "Семинар проходит при поддержке кластера «Северный»: его эксперты объяснят требования "
         "к клиническим испытаниям и регистрации изделий.\n\n"
         "Ссылку для онлайн-участия пришлём после регистрации.",
         C.SEMINAR, HYBRID, PUBLIC, 8, 15, 120, 0, 80, with_=(sup(BIO),),
         other=("Microelectronics for medical devices",
                "How electronics manufacturers can enter the medical technology market",
                "A seminar for manufacturers of electronic components who want to work with "
                "medical devices. Technopolis engineers will talk about clean rooms and "
                "contract manufacturing.\n\n"
                "Supported by BioPharmCluster “Northern”: its experts will explain the "
                "requirements for clinical trials and device registration.\n\n"
                "We will send you a link for online participation after you register.")),
    Spec("gmp-practicum", BIO, "GMP для стартапов: практикум",
         "Документация, валидация и подготовка к инспекции",
         "Практикум по надлежащей производственной практике для команд, которые готовят "
         "пилотное производство.\n\n"
         "- структура досье и стандартные операционные процедуры;\n"
         "- валидация оборудования и процессов;\n"
         "- как пройти первую инспекцию.\n\n"
         "Ведут специалисты по качеству из компаний-резидентов кампуса.",
         C.WORKSHOP, IN_PERSON, RESIDENTS_ONLY, 12, 11, 240, 1, 12,
         other=("GMP for start-ups: a practical workshop",
                "Documentation, validation and preparing for an inspection",
                "A practical workshop on good manufacturing practice for teams preparing pilot "
                "production.\n\n"
                "- dossier structure and standard operating procedures;\n"
                "- validation of equipment and processes;\n"
                "- how to pass your first inspection.\n\n"
                "Led by quality specialists from resident companies on campus.")),
    Spec("demo-day-prototypes", TECH, "День демонстраций: промышленный дизайн и прототипы",
         "Прототипы резидентов — от корпусов приборов до лабораторной автоматики",
         "Резиденты Технополиса «Москва» и кластера «Северный» показывают прототипы: корпуса "
         "медицинских приборов, лабораторную автоматику, датчики. Можно подержать образцы "
         "в руках, задать вопросы инженерам и договориться о пилотных заказах.",
         C.DEMO_DAY, IN_PERSON, PUBLIC, 15, 14, 240, 2, 120, with_=(co(BIO),), programme=True,
         other=("Demo day: industrial design and prototypes",
                "Residents' prototypes — from instrument housings to laboratory automation",
                "Residents of Technopolis Moscow and BioPharmCluster “Northern” show their "
                "prototypes: medical device housings, laboratory automation, sensors. You can "
                "hold the samples in your hands, ask the engineers questions and arrange pilot "
                "orders.")),
    Spec("patent-consulting", BIO, "День консультаций по патентной стратегии",
         "Индивидуальные консультации патентных поверенных",
         "Получасовые консультации для резидентов: патентный поиск, стратегия защиты, "
         "зарубежное патентование, распределение прав с соисполнителями.\n\n"
         "День проводится при поддержке Технополиса «Москва»: эксперты его центра трансфера "
         "технологий ведут половину консультаций.",
         C.CONSULTING_DAY, ONLINE, RESIDENTS_ONLY, 18, 10, 360, None, 16, with_=(sup(TECH),),
         other=("Patent strategy consultation day",
                "One-to-one consultations with patent attorneys",
                "Half-hour consultations for residents: patent searches, protection strategy, "
                "patenting abroad, sharing rights with co-contractors.\n\n"
                "Supported by Technopolis Moscow: experts from its technology transfer centre "
                "lead half of the consultations.")),
    Spec("site-managers-meeting", TECH, "Встреча менеджеров площадок Технополиса",
         "Загрузка помещений и заявки резидентов",
         "Ежеквартальная встреча менеджеров площадок в Печатниках и Алабушеве: загрузка "
         "помещений, заявки резидентов, график мероприятий на следующий квартал.",
         C.NETWORKING, IN_PERSON, INTERNAL, 20, 16, 90, 1, 20,
         other=("Technopolis site managers' meeting",
                "Space occupancy and residents' requests",
                "The quarterly meeting of the site managers in Pechatniki and Alabushevo: "
                "space occupancy, residents' requests, the schedule of events for the next "
                "quarter.")),
    Spec("biotech-partnering-day", BIO, "Moscow Biotech Partnering Day",
         "One-to-one meetings between resident companies and international pharma partners",
         "An international partnering day hosted by BioPharmCluster “Northern” together with "
         "Technopolis Moscow.\n\n"
         "- morning: keynotes on licensing deals and co-development;\n"
         "- afternoon: pre-booked one-to-one meetings;\n"
         "- working language: English, with Russian interpretation in the main hall.",
         C.CONFERENCE, HYBRID, PUBLIC, 24, 10, 420, 0, 110, with_=(co(TECH),), programme=True,
         english=True,
         other=("Московский день партнёрства в биотехнологиях",
                "Встречи один на один компаний-резидентов с международными фармацевтическими "
                "партнёрами",
                "Международный день партнёрства, который Биофармацевтический кластер "
                "«Северный» проводит совместно с Технополисом «Москва».\n\n"
                "- утро: ключевые доклады о лицензионных сделках и совместной разработке;\n"
                "- после обеда: заранее назначенные встречи один на один;\n"
                "- рабочий язык — английский, в главном зале — перевод на русский.")),
    Spec("pitch-training", TECH, "Питч-тренинг для основателей",
         "Три часа практики в малой группе",
         "Структура питча, ответы на неудобные вопросы инвесторов, работа с волнением. Каждый "
         "участник выступает дважды и получает подробный разбор.\n\n"
         "Тренинг проводится при поддержке кластера «Северный». В группе восемь человек, "
         "дальше — лист ожидания.",
         C.WORKSHOP, IN_PERSON, PUBLIC, 10, 11, 180, 1, 8, with_=(sup(BIO),), full=True,
         other=("Pitch training for founders",
                "Three hours of practice in a small group",
                "Pitch structure, answering awkward investor questions, coping with nerves. "
                "Every participant presents twice and gets a detailed review.\n\n"
                "Supported by BioPharmCluster “Northern”. The group is limited to eight "
                "people; after that, there is a waiting list.")),
    Spec("lab-equipment-expo", BIO, "Выставка «Отечественное лабораторное оборудование»",
         "Три дня экспозиции российских производителей",
         "Центрифуги, биореакторы, анализаторы и расходные материалы российских "
         "производителей.\n\n"
         "Технополис «Москва» привозит на выставку резидентов-приборостроителей, кластер "
         "«Северный» — лаборатории, готовые стать их первыми заказчиками.",
         C.EXHIBITION, IN_PERSON, PUBLIC, 30, 10, 2 * 24 * 60 + 480, 0, None,
         with_=(co(TECH),),
         other=("“Russian-Made Laboratory Equipment” exhibition",
                "Three days of exhibits from Russian manufacturers",
                "Centrifuges, bioreactors, analysers and consumables from Russian "
                "manufacturers.\n\n"
                "Technopolis Moscow brings its instrument-making residents to the exhibition, "
                "and BioPharmCluster “Northern” brings laboratories ready to become their "
                "first customers.")),
    Spec("export-support-webinar", TECH, "Экспортная поддержка технологических компаний",
         "Меры поддержки, сертификация и страхование контрактов",
         "Вебинар для резидентов: меры поддержки экспорта, сертификация продукции для рынков "
         "ЕАЭС, Ближнего Востока и Юго-Восточной Азии, страхование экспортных контрактов. "
         "В конце — ответы на вопросы.",
         C.SEMINAR, ONLINE, PUBLIC, 27, 12, 90, None, None,
         other=("Export support for technology companies",
                "Support measures, certification and contract insurance",
                "A webinar for residents: export support measures, product certification for "
                "the markets of the EAEU, the Middle East and South-East Asia, insurance of "
                "export contracts. Questions and answers at the end.")),
    Spec("grant-clinic", BIO, "Клиника грантовых заявок",
         "Доработка заявок вместе с экспертами",
         "Эксперты помогают доработать заявки в Фонд содействия инновациям и региональные "
         "программы поддержки: цели проекта, календарный план, смета. Приносите черновик.\n\n"
         "Консультантов для этого дня выделил Технополис «Москва», который поддерживает "
         "клинику.",
         C.CONSULTING_DAY, IN_PERSON, RESIDENTS_ONLY, 34, 10, 420, 1, 14, with_=(sup(TECH),),
         other=("Grant application clinic",
                "Improving applications together with experts",
                "Experts help improve applications to the Foundation for Assistance to "
                "Innovations and regional support programmes: project goals, timeline, budget. "
                "Bring your draft.\n\n"
                "Supported by Technopolis Moscow, which provided the consultants for the day.")),
    Spec("health-tech-conference", TECH, "Конференция «Технологии для здоровья»",
         "Главное совместное событие партнёров меморандума",
         "Технополис «Москва» и кластер «Северный» собирают резидентов, заказчиков и "
         "инвесторов на общей конференции.\n\n"
         "- пленарная сессия о локализации медицинских изделий;\n"
         "- секции: биофармацевтика, медицинская электроника, новые материалы;\n"
         "- выставка прототипов в фойе.",
         C.CONFERENCE, HYBRID, PUBLIC, 45, 10, 480, 0, 240, with_=(co(BIO),), programme=True,
         other=("“Technologies for Health” conference",
                "The main joint event of the memorandum partners",
                "Technopolis Moscow and BioPharmCluster “Northern” bring residents, customers "
                "and investors together at a joint conference.\n\n"
                "- plenary session on localising the production of medical devices;\n"
                "- tracks: biopharmaceuticals, medical electronics, new materials;\n"
                "- an exhibition of prototypes in the foyer.")),
    Spec("clinical-trials-seminar", BIO, "Клинические исследования: от протокола до первого "
         "пациента", "Что нужно сделать до включения первого пациента",
         "Разбираем путь от синопсиса протокола до первого пациента: выбор исследовательских "
         "центров, этический комитет, страхование, логистика препарата. Спикеры — руководители "
         "клинических отделов компаний-резидентов кампуса.",
         C.SEMINAR, IN_PERSON, RESIDENTS_ONLY, 38, 15, 120, 1, 30,
         other=("Clinical trials: from protocol to first patient",
                "What needs to be done before the first patient is enrolled",
                "We walk through the path from protocol synopsis to the first patient: "
                "choosing trial sites, the ethics committee, insurance, drug logistics. The "
                "speakers are heads of clinical departments at resident companies on campus.")),
    Spec("mena-export-webinar", TECH, "Export webinar: medical devices for MENA markets",
         "Registration, distributors and tenders in the Gulf states and Egypt",
         "An English-language webinar for Technopolis Moscow residents who sell medical "
         "devices abroad: registration routes, choosing a distributor, public tenders.\n\n"
         "Supported by BioPharmCluster “Northern”, whose regulatory experts cover clinical "
         "evidence requirements.",
         C.SEMINAR, ONLINE, PUBLIC, 41, 11, 90, None, 100, with_=(sup(BIO),), english=True,
         other=("Экспортный вебинар: медицинские изделия для рынков Ближнего Востока и "
                "Северной Африки",
                "Регистрация, дистрибьюторы и тендеры в странах Персидского залива и Египте",
                "Вебинар на английском языке для резидентов Технополиса «Москва», которые "
                "продают медицинские изделия за рубеж: пути регистрации, выбор дистрибьютора, "
                "государственные тендеры.\n\n"
                "При поддержке Биофармацевтического кластера «Северный», чьи эксперты по "
                "регуляторике расскажут о требованиях к клиническим данным.")),
    Spec("fiztech-bio-tour", BIO, "Экскурсия по лабораториям «Физтех.Био»",
         "Коллективные лаборатории и пилотное производство кампуса",
         "Совместно с Технополисом «Москва» приглашаем его резидентов на экскурсию по "
         "лабораториям коллективного пользования и пилотному производству. Покажем "
         "оборудование, которое можно арендовать, и расскажем, как подать заявку.",
         C.OTHER, IN_PERSON, RESIDENTS_ONLY, 48, 14, 120, 2, 20, with_=(co(TECH),),
         other=("A tour of the Phystech.Bio laboratories",
                "The campus's shared-use laboratories and pilot production facility",
                "Together with Technopolis Moscow, we invite its residents on a tour of our "
                "shared-use laboratories and pilot production facility. We will show the "
                "equipment available for rent and explain how to apply.")),
    Spec("bioreactor-scale-up", BIO, "Масштабирование биореакторов: от колбы до 200 литров",
         "Практикум для технологов",
         "Практикум для технологов, которые переносят процесс из лаборатории на пилотную "
         "установку: массообмен, контроль pH и кислорода, типичные ошибки при переносе.",
         C.WORKSHOP, IN_PERSON, PUBLIC, 60, 11, 240, 1, 25, status=DRAFT,
         other=("Bioreactor scale-up: from flask to 200 litres",
                "A practical workshop for process engineers",
                "A practical workshop for process engineers moving a process from the "
                "laboratory to a pilot plant: mass transfer, pH and oxygen control, typical "
                "mistakes in scale-up.")),
    Spec("implant-materials-lecture", TECH, "Открытая лекция «Новые материалы для имплантов»",
         "Титановые сплавы, керамика и биоразлагаемые полимеры",
         "Лекция о материалах для имплантов: титановые сплавы, керамика, биоразлагаемые "
         "полимеры. Готовим её совместно с кластером «Северный» — его исследователи расскажут "
         "о доклинических испытаниях.",
         C.SEMINAR, HYBRID, PUBLIC, 55, 18, 90, 0, 200, status=DRAFT,
         with_=(co(BIO, answer=None),),
         other=("Open lecture “New Materials for Implants”",
                "Titanium alloys, ceramics and biodegradable polymers",
                "A lecture on materials for implants: titanium alloys, ceramics, biodegradable "
                "polymers. We are preparing it together with BioPharmCluster “Northern” — its "
                "researchers will talk about preclinical testing.")),
    Spec("quarter-planning", BIO, "Планирование мероприятий на следующий квартал",
         "Рабочая встреча команды кластера",
         "Рабочая встреча: что получилось в этом квартале, какие мероприятия предложить "
         "партнёрам дальше, кто за что отвечает.",
         C.OTHER, IN_PERSON, INTERNAL, 25, 15, 90, 1, None, status=DRAFT,
         other=("Planning events for the next quarter",
                "A working meeting of the cluster team",
                "A working meeting: what went well this quarter, which events to propose to "
                "our partners next, who is responsible for what.")),
    Spec("medical-imaging-hackathon", TECH, "Хакатон по анализу медицинских изображений",
         "Сутки на прототип: КТ, МРТ и гистология",
         "Команды из резидентов и студентов за сутки делают прототипы алгоритмов для анализа "
         "КТ, МРТ и гистологических срезов. Приглашаем кластер «Северный» стать соорганизатором "
         "и предоставить обезличенные наборы данных.",
         C.OTHER, IN_PERSON, PUBLIC, 65, 10, 600, 2, 60, status=PROPOSED,
         with_=(co(BIO, answer=None),),
         other=("Medical image analysis hackathon",
                "Twenty-four hours to build a prototype: CT, MRI and histology",
                "Teams of residents and students have twenty-four hours to build prototype "
                "algorithms for analysing CT and MRI scans and histological sections. We "
                "invite BioPharmCluster “Northern” to co-organise the event and provide "
                "anonymised datasets.")),
    Spec("regulatory-office-hours", BIO, "Наставнические часы: регистрация медицинских "
         "изделий", "Короткие встречи с наставниками по регуляторике",
         "Наставники отвечают на вопросы о регистрации медицинских изделий: класс риска, "
         "технические испытания, клинические данные. Встречи по 20 минут.\n\n"
         "Проводим при поддержке Технополиса «Москва», чьи резиденты-приборостроители "
         "давно просили о таком формате.",
         C.CONSULTING_DAY, ONLINE, RESIDENTS_ONLY, 40, 16, 180, None, 10, status=PROPOSED,
         with_=(sup(TECH, note="Поддержим, анонсируем у себя."),),
         other=("Mentor hours: registering medical devices",
                "Short meetings with regulatory mentors",
                "Mentors answer questions about registering medical devices: risk class, "
                "technical testing, clinical data. Meetings last 20 minutes.\n\n"
                "Supported by Technopolis Moscow, whose instrument-making residents have long "
                "asked for this format.")),
    Spec("founder-school-finance", TECH, "Школа технологического предпринимателя: финансы",
         "Юнит-экономика, финансовая модель и отчётность для инвестора",
         "Модуль школы о финансах: юнит-экономика производственной компании, финансовая "
         "модель, отчётность для инвестора. Предлагаем провести его совместно с кластером "
         "«Северный» и добавить разбор биотехнологических кейсов.",
         C.WORKSHOP, IN_PERSON, PUBLIC, 70, 11, 240, 1, 20, status=PROPOSED,
         with_=(co(BIO, answer=None),),
         other=("School for technology entrepreneurs: finance",
                "Unit economics, the financial model and reporting for investors",
                "The school's finance module: unit economics of a manufacturing company, the "
                "financial model, reporting for investors. We propose running it together with "
                "BioPharmCluster “Northern” and adding a review of biotech cases.")),
    Spec("cell-technologies-symposium", BIO, "Симпозиум по клеточным технологиям",
         "Клеточные продукты: исследования, производство, регистрация",
         "Исследователи и производители клеточных продуктов обсуждают путь от лаборатории "
         "до пациента: стандартизацию, производство по GMP и регистрацию.",
         C.CONFERENCE, IN_PERSON, PUBLIC, 80, 10, 420, 0, 110, status=PROPOSED,
         with_=(co(TECH, answer="declined", note="В эти даты наш конгресс-зал занят."),),
         other=("Cell technologies symposium",
                "Cell products: research, manufacturing, registration",
                "Researchers and manufacturers of cell products discuss the path from the "
                "laboratory to the patient: standardisation, GMP manufacturing and "
                "registration.")),
    Spec("medical-robotics-lecture", TECH, "Лекция о рынке медицинской робототехники",
         "Кто и что покупает: больницы, реабилитация, лаборатории",
         "Обзор рынка медицинской робототехники для резидентов-приборостроителей. Лекцию "
         "поддерживает кластер «Северный».",
         C.SEMINAR, IN_PERSON, PUBLIC, 22, 17, 90, 1, 20, status=CANCELLED,
         with_=(sup(BIO),), cancel_reason="Спикер не сможет приехать; перенесём лекцию и "
                                          "сообщим новую дату.",
         other=("Lecture on the medical robotics market",
                "Who buys what: hospitals, rehabilitation, laboratories",
                "An overview of the medical robotics market for instrument-making residents. "
                "Supported by BioPharmCluster “Northern”.")),
    Spec("dolgoprudny-networking", BIO, "Вечер знакомств резидентов в Долгопрудном",
         "Неформальная встреча резидентов двух площадок",
         "Неформальная встреча резидентов кластера «Северный» и Технополиса «Москва»: "
         "короткие представления компаний и общение.",
         C.NETWORKING, IN_PERSON, PUBLIC, -12, 18, 150, 2, 60, status=CANCELLED,
         with_=(co(TECH),), cancel_reason="Площадку закрыли на внеплановый ремонт.",
         other=("Residents' networking evening in Dolgoprudny",
                "An informal meeting of residents from the two sites",
                "An informal meeting of residents of BioPharmCluster “Northern” and "
                "Technopolis Moscow: short company introductions and networking.")),
    Spec("residents-coffee", BIO, "Утренний кофе: знакомство с новыми резидентами",
         "Новые компании кампуса рассказывают о себе",
         "Новые компании кампуса за пять минут рассказывают, чем занимаются и кого ищут. "
         "Совместно с Технополисом «Москва» — его резиденты тоже приглашены.",
         C.NETWORKING, IN_PERSON, RESIDENTS_ONLY, -35, 9, 120, 2, 40, with_=(co(TECH),),
         other=("Morning coffee: meet the new residents",
                "New companies on campus introduce themselves",
                "New companies on campus take five minutes each to tell what they do and whom "
                "they are looking for. Together with Technopolis Moscow — its residents are "
                "invited too.")),
    Spec("industrial-design-seminar", TECH, "Промышленный дизайн медицинских приборов",
         "Эргономика, материалы и требования к корпусам",
         "Дизайнеры и инженеры резидентов рассказывают, как проектировать корпуса медицинских "
         "приборов: эргономика, выбор материалов, требования к дезинфекции.\n\n"
         "При поддержке кластера «Северный».",
         C.SEMINAR, HYBRID, PUBLIC, -30, 15, 120, 0, 80, with_=(sup(BIO),),
         other=("Industrial design of medical devices",
                "Ergonomics, materials and housing requirements",
                "Residents' designers and engineers explain how to design housings for medical "
                "devices: ergonomics, choice of materials, disinfection requirements.\n\n"
                "Supported by BioPharmCluster “Northern”.")),
    Spec("biosafety-briefing", BIO, "Биобезопасность в лаборатории",
         "Обязательный инструктаж для новых сотрудников резидентов",
         "Инструктаж для новых сотрудников компаний-резидентов, работающих в лабораториях "
         "коллективного пользования: правила допуска, работа с отходами, действия при аварии.",
         C.WORKSHOP, IN_PERSON, RESIDENTS_ONLY, -26, 10, 120, 1, 25,
         other=("Biosafety in the laboratory",
                "A mandatory briefing for residents' new employees",
                "A briefing for new employees of resident companies who work in the shared-use "
                "laboratories: access rules, waste handling, what to do in an emergency.")),
    Spec("zelenograd-demo-day", TECH, "День демонстраций резидентов Алабушева",
         "Производственные компании показывают свои разработки",
         "Резиденты площадки «Алабушево» показывают разработки: микроэлектронику, оптику, "
         "датчики. Совместно с кластером «Северный», чьи компании ищут поставщиков "
         "компонентов для лабораторных приборов.",
         C.DEMO_DAY, IN_PERSON, PUBLIC, -22, 13, 240, 2, 120, with_=(co(BIO),),
         programme=True,
         other=("Alabushevo residents' demo day",
                "Manufacturing companies show their developments",
                "Residents of the Alabushevo site show their developments: microelectronics, "
                "optics, sensors. Together with BioPharmCluster “Northern”, whose companies "
                "are looking for component suppliers for laboratory instruments.")),
    Spec("debt-financing-consulting", BIO, "Консультации по заёмному финансированию",
         "Льготные займы, лизинг оборудования и гарантии",
         "Консультации для резидентов о льготных займах фондов развития, лизинге "
         "лабораторного оборудования и банковских гарантиях.\n\n"
         "При поддержке Технополиса «Москва», который пригласил консультантов своего "
         "финансового партнёра.",
         C.CONSULTING_DAY, ONLINE, RESIDENTS_ONLY, -18, 11, 300, None, 12, with_=(sup(TECH),),
         other=("Debt financing consultations",
                "Soft loans, equipment leasing and guarantees",
                "Consultations for residents on soft loans from development funds, leasing of "
                "laboratory equipment and bank guarantees.\n\n"
                "Supported by Technopolis Moscow, which has invited consultants from its "
                "financial partner.")),
    Spec("composites-open-day", TECH, "Открытые двери лаборатории композитных материалов",
         "Экскурсии каждый час и испытательный стенд",
         "Лаборатория композитных материалов открывает двери: экскурсии каждый час, "
         "демонстрация испытательного стенда, встреча с технологами.",
         C.EXHIBITION, IN_PERSON, PUBLIC, -15, 11, 360, 2, None,
         other=("Composite materials laboratory open day",
                "Tours every hour and a test bench",
                "The composite materials laboratory opens its doors: tours every hour, a "
                "demonstration of the test bench, meetings with process engineers.")),
    Spec("tech-transfer-office-hours", BIO, "Tech transfer office hours with international "
         "mentors", "Licensing, spin-offs and IP valuation",
         "Mentors from international technology transfer offices answer founders' questions "
         "on licensing, spin-offs and IP valuation. Organised jointly by BioPharmCluster "
         "“Northern” and Technopolis Moscow; sessions are in English.",
         C.CONSULTING_DAY, ONLINE, PUBLIC, -8, 16, 180, None, 20, with_=(co(TECH),),
         english=True,
         other=("Консультации по трансферу технологий с международными наставниками",
                "Лицензирование, спин-оффы и оценка интеллектуальной собственности",
                "Наставники из международных офисов трансфера технологий отвечают на вопросы "
                "основателей о лицензировании, спин-оффах и оценке интеллектуальной "
                "собственности. Организуют совместно Биофармацевтический кластер «Северный» и "
                "Технополис «Москва»; встречи проходят на английском языке.")),
    Spec("programme-strategy-session", TECH, "Стратегическая сессия по совместной программе",
         "Итоги полугодия и план следующих мероприятий",
         "Команды Технополиса «Москва» и кластера «Северный» подводят итоги совместной "
         "программы и договариваются о следующих мероприятиях.",
         C.OTHER, IN_PERSON, INTERNAL, -5, 14, 180, 1, 20, with_=(co(BIO),), programme=True,
         other=("Strategy session on the joint programme",
                "Half-year results and plans for the next events",
                "The teams of Technopolis Moscow and BioPharmCluster “Northern” review the "
                "results of the joint programme and agree on the next events.")),
    Spec("cro-selection-seminar", BIO, "Доклинические исследования: как выбрать CRO",
         "Критерии выбора, договор и контроль качества",
         "Как выбрать контрактную исследовательскую организацию для доклинических "
         "исследований: критерии, типовой договор, аудит и контроль качества данных.",
         C.SEMINAR, HYBRID, PUBLIC, -3, 15, 120, 0, 100,
         other=("Preclinical studies: how to choose a CRO",
                "Selection criteria, the contract and quality control",
                "How to choose a contract research organisation for preclinical studies: "
                "criteria, a standard contract, audits and data quality control.")),
    Spec("industrial-investor-breakfast", TECH, "Завтрак с инвесторами: промышленные "
         "технологии", "Резиденты-производители знакомятся с фондами",
         "Утренняя встреча резидентов-производителей с фондами и корпоративными инвесторами. "
         "Проходит при поддержке кластера «Северный», который приводит своих инвесторов.",
         C.NETWORKING, IN_PERSON, PUBLIC, 52, 9, 120, 1, 20, with_=(sup(BIO),),
         other=("Breakfast with investors: industrial technologies",
                "Manufacturing residents meet funds",
                "A morning meeting of manufacturing residents with funds and corporate "
                "investors. Supported by BioPharmCluster “Northern”, which brings its own "
                "investors.")),
    Spec("biotech-demo-day", BIO, "Демо-день биотехнологических стартапов",
         "Десять команд, жюри из инвесторов и индустриальных партнёров",
         "Десять стартапов кампуса представляют проекты жюри из инвесторов и индустриальных "
         "партнёров. Совместно с Технополисом «Москва»: его резиденты-производители ищут "
         "проекты для совместной разработки.",
         C.DEMO_DAY, HYBRID, PUBLIC, 75, 14, 240, 0, 120, with_=(co(TECH),), programme=True,
         other=("Biotech start-up demo day",
                "Ten teams and a jury of investors and industry partners",
                "Ten campus start-ups present their projects to a jury of investors and "
                "industry partners. Together with Technopolis Moscow: its manufacturing "
                "residents are looking for projects for joint development.")),
    Spec("pechatniki-mentor-hours", TECH, "Наставнические часы для резидентов Печатников",
         "Вопросы о росте производства — наставникам Технополиса",
         "Опытные предприниматели-наставники отвечают на вопросы о росте производства, "
         "найме и продажах. Встречи по 30 минут по предварительной записи.",
         C.CONSULTING_DAY, IN_PERSON, RESIDENTS_ONLY, 16, 15, 180, 1, 10,
         other=("Mentor hours for Pechatniki residents",
                "Questions about growing production — for Technopolis mentors",
                "Experienced entrepreneurs acting as mentors answer questions about growing "
                "production, hiring and sales. Meetings last 30 minutes and are by appointment.")),
    Spec("preclinical-planning-school", BIO, "Школа планирования доклинических экспериментов",
         "Дизайн эксперимента, статистика и этика",
         "Двухдневная школа для исследователей компаний-резидентов: дизайн эксперимента, "
         "расчёт размера выборки, этическая экспертиза.\n\n"
         "При поддержке Технополиса «Москва».",
         C.WORKSHOP, IN_PERSON, RESIDENTS_ONLY, 58, 10, 24 * 60 + 420, 1, 20,
         with_=(sup(TECH),),
         other=("Preclinical experiment planning school",
                "Experimental design, statistics and ethics",
                "A two-day school for researchers at resident companies: experimental design, "
                "sample size calculation, ethical review.\n\n"
                "Supported by Technopolis Moscow.")),
    Spec("medtech-exhibition", TECH, "Выставка медицинской техники резидентов",
         "Два дня экспозиции производителей медицинской техники",
         "Производители медицинской техники с площадок Технополиса «Москва» показывают "
         "серийные изделия и новинки. Совместно с кластером «Северный»: его клиники-партнёры "
         "проводят демонстрации в формате «врач у стенда».",
         C.EXHIBITION, IN_PERSON, PUBLIC, 85, 10, 24 * 60 + 420, 2, None, with_=(co(BIO),),
         other=("Residents' medical equipment exhibition",
                "Two days of exhibits from medical equipment manufacturers",
                "Medical equipment manufacturers from the Technopolis Moscow sites show "
                "production models and new products. Together with BioPharmCluster “Northern”: "
                "its partner clinics give demonstrations in a “doctor at the stand” format.")),
    Spec("reagents-round-table", BIO, "Круглый стол «Реагенты и расходные материалы»",
         "Поставки, локализация и контроль качества",
         "Лаборатории и производители обсуждают поставки реагентов и расходных материалов: "
         "локализацию, сроки, контроль качества. Совместно с Технополисом «Москва» — на его "
         "площадках работают производители расходных материалов.",
         C.CONFERENCE, IN_PERSON, PUBLIC, 95, 11, 180, 0, 80, with_=(co(TECH),),
         other=("Round table “Reagents and Consumables”",
                "Supply, localisation and quality control",
                "Laboratories and manufacturers discuss the supply of reagents and "
                "consumables: localisation, lead times, quality control. Together with "
                "Technopolis Moscow — manufacturers of consumables operate at its sites.")),
    Spec("sez-open-lecture", TECH, "Открытый лекторий: как устроена особая экономическая зона",
         "Льготы, требования к резидентам, порядок входа",
         "Лекция для компаний, которые думают о размещении производства: льготы особой "
         "экономической зоны, требования к резидентам, порядок подачи заявки.",
         C.SEMINAR, ONLINE, PUBLIC, 100, 12, 90, None, None,
         other=("Open lecture series: how a special economic zone works",
                "Benefits, requirements for residents, how to apply",
                "A lecture for companies thinking about where to locate production: the "
                "benefits of a special economic zone, requirements for residents, the "
                "application procedure.")),
]
