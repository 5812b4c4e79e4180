"""The reference catalogue of the demo: phases, modules, practices, KPIs, the
report's nine country programmes, exchange rates and targets.

Shaped like the SCORE Phase II report (seeds/003). Codes are stable (the
workbook, the API and the indicator registry use them) and so are the ids:
`catalogue_id` gives the same id to the same entry in every installation.
`load_catalogues` loads it idempotently, by code; `scoretrack demo` and
`scoretrack generate` start with it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from scoretrack.finance.models import ExchangeRate
from scoretrack.outcomes.models import Kpi, Practice
from scoretrack.reference.models import CountryProgramme, Module, Phase, Target

D = dt.date
CATALOGUE_NAMESPACE = uuid.UUID("5c0e7a3c-8f7e-4b5e-9a51-3c0f2e7d9b11")

# --------------------------------------------------------------------------
# Reference catalogues (stable codes: the workbook, API and registry use them)
# --------------------------------------------------------------------------

# The report: "Phase II (2014-17) ... builds on Phase I (2009-13)"; the factsheet:
# Phase IV 2022-2024. Phase III fills the gap so that the phases do not overlap
# and every date falls in exactly one phase.
PHASES: tuple[tuple[str, dt.date, dt.date], ...] = (
    ("I", D(2009, 1, 1), D(2013, 12, 31)),
    ("II", D(2014, 1, 1), D(2017, 12, 31)),
    ("III", D(2018, 1, 1), D(2021, 12, 31)),
    ("IV", D(2022, 1, 1), D(2024, 12, 31)),
)

# (code, name, core, compulsory_first)
MODULES: tuple[tuple[str, str, bool, bool], ...] = (
    ("M1", "Workplace Cooperation", True, True),
    ("M2", "Quality Management", True, False),
    ("M3", "Clean Production / Resource Efficiency", True, False),
    ("M4", "Human Resource / Workforce Management", True, False),
    ("M5", "Occupational Safety & Health", True, False),
    ("COVID-OSH", "COVID-19 Safety & Health at Work", False, False),
    ("COVID-BCP", "COVID-19 Business Continuity Planning", False, False),
    ("LEAN", "Lean Manufacturing", False, False),
    ("HOSPITALITY", "Hospitality Coaching", False, False),
    ("GENDER", "Gender Equality", False, False),
    ("RESPONSIBLE", "Responsible Business", False, False),
    ("SHORT-ALL", "Short course on all five modules (national variant)", False, False),
)

# Figure 13: (code, name, module, % in place before, % newly implemented).
# Kaizen 5S (23/57) and the quality policy (~50% before) are quoted in the
# text; the other pairs are read off the figure approximately.
PRACTICES: tuple[tuple[str, str, str, int, int], ...] = (
    ("kaizen_5s", "Application of Kaizen 5S", "M1", 23, 57),
    ("daily_meetings", "Daily worker-manager meetings", "M1", 18, 41),
    ("suggestion_scheme", "Employee suggestion scheme", "M1", 14, 51),
    ("eit_women_and_men", "Inclusion of women and men in the EIT", "M1", 59, 4),
    ("quality_policy", "Existence of quality policy", "M2", 45, 15),
    ("quality_info_shared", "Quality information shared with employees", "M2", 38, 23),
    ("defect_analysis", "Systematic analysis of defect causes", "M2", 13, 10),
    ("machine_maintenance", "Machine maintenance system", "M3", 32, 17),
    ("hr_policy", "Human resource policy", "M4", 24, 14),
    ("job_descriptions", "Existence of job descriptions", "M4", 31, 13),
    ("osh_committee", "OSH worker-manager committee", "M5", 17, 32),
    ("osh_policy", "Occupational safety and health policy", "M5", 19, 24),
)


@dataclass(frozen=True)
class KpiSpec:
    code: str
    name: str
    unit: str
    better: str
    module: str | None
    improve: float  # share of firms whose series moves the better way (factsheet)
    base: tuple[float, float]  # range of a firm's starting value
    numerator: str = ""
    denominator: str = ""


KPIS: tuple[KpiSpec, ...] = (
    KpiSpec("productivity", "Labour productivity", "units per worker-hour", "higher", "M2",
            0.60, (4, 40)),
    KpiSpec("defect_rate", "Defect rate", "defects per unit produced", "lower", "M2",
            0.54, (0.01, 0.12), "defects", "units produced"),
    KpiSpec("absenteeism", "Absenteeism", "% of workdays", "lower", "M4", 0.39, (2, 10)),
    KpiSpec("labour_turnover", "Labour turnover", "% of workforce per month", "lower", "M4",
            0.40, (1, 6)),
    KpiSpec("accidents", "Accidents", "accidents per month", "lower", "M5", 0.38, (1, 8)),
    KpiSpec("worker_complaints", "Worker complaints", "complaints per month", "lower", "M1",
            0.45, (2, 15)),
    KpiSpec("energy_use", "Energy use", "kWh per month", "lower", "M3", 0.44, (2000, 60000)),
    KpiSpec("water_use", "Water use", "m3 per month", "lower", "M3", 0.44, (50, 3000)),
    KpiSpec("cost_savings", "Cost savings", "USD per month", "higher", "M3", 0.70, (0, 500)),
    KpiSpec("average_wage", "Average monthly wage", "USD", "higher", "M4", 0.36, (150, 900)),
    KpiSpec("employment", "Employment", "workers", "higher", None, 0.55, (10, 400)),
    KpiSpec("employment_female", "Employment, women", "workers", "higher", None, 0.55, (5, 200)),
    KpiSpec("employment_male", "Employment, men", "workers", "higher", None, 0.55, (5, 200)),
    KpiSpec("on_time_delivery", "On-time delivery", "% of orders", "higher", "M2", 0.50,
            (60, 92)),
)  # fmt: skip

# Catalogue names in the programme's other working languages (name_translations):
# code -> (es, fr, id, vi, zh-hans). English is the name itself.
NAME_LANGUAGES = ("es", "fr", "id", "vi", "zh-hans")
MODULE_NAMES: dict[str, tuple[str, str, str, str, str]] = {
    "M1": ("Cooperación en el lugar de trabajo", "Coopération sur le lieu de travail",
           "Kerja Sama di Tempat Kerja", "Hợp tác tại nơi làm việc", "工作场所合作"),
    "M2": ("Gestión de la calidad", "Gestion de la qualité", "Manajemen Mutu",
           "Quản lý chất lượng", "质量管理"),
    "M3": ("Producción más limpia / Eficiencia de recursos",
           "Production plus propre / Utilisation efficace des ressources",
           "Produksi Bersih / Efisiensi Sumber Daya",
           "Sản xuất sạch hơn / Sử dụng hiệu quả tài nguyên", "清洁生产 / 资源效率"),
    "M4": ("Gestión de recursos humanos / de la fuerza laboral",
           "Gestion des ressources humaines / de la main-d'œuvre",
           "Manajemen Sumber Daya Manusia / Tenaga Kerja",
           "Quản lý nguồn nhân lực / lực lượng lao động", "人力资源 / 劳动力管理"),
    "M5": ("Seguridad y salud en el trabajo", "Sécurité et santé au travail",
           "Keselamatan dan Kesehatan Kerja", "An toàn và vệ sinh lao động", "职业安全与健康"),
    "COVID-OSH": ("Seguridad y salud en el trabajo ante la COVID-19",
                  "Sécurité et santé au travail face à la COVID-19",
                  "Keselamatan dan Kesehatan Kerja di Masa COVID-19",
                  "An toàn và sức khỏe tại nơi làm việc trong đại dịch COVID-19",
                  "新冠疫情下的工作安全与健康"),
    "COVID-BCP": ("Planificación de la continuidad del negocio ante la COVID-19",
                  "Plan de continuité des activités face à la COVID-19",
                  "Perencanaan Kelangsungan Usaha di Masa COVID-19",
                  "Lập kế hoạch duy trì kinh doanh trong đại dịch COVID-19",
                  "新冠疫情业务连续性规划"),
    "LEAN": ("Manufactura esbelta", "Production allégée (Lean)", "Manufaktur Ramping (Lean)",
             "Sản xuất tinh gọn", "精益生产"),
    "HOSPITALITY": ("Acompañamiento en hostelería", "Accompagnement en hôtellerie-restauration",
                    "Pendampingan Perhotelan", "Huấn luyện ngành khách sạn – nhà hàng",
                    "酒店服务业辅导"),
    "GENDER": ("Igualdad de género", "Égalité de genre", "Kesetaraan Gender", "Bình đẳng giới",
               "性别平等"),
    "RESPONSIBLE": ("Empresa responsable", "Entreprise responsable",
                    "Bisnis yang Bertanggung Jawab", "Kinh doanh có trách nhiệm", "负责任商业"),
    "SHORT-ALL": ("Curso corto sobre los cinco módulos (variante nacional)",
                  "Cours court sur les cinq modules (variante nationale)",
                  "Kursus singkat kelima modul (varian nasional)",
                  "Khóa ngắn hạn về cả năm mô-đun (phiên bản quốc gia)",
                  "五个模块短期课程(国家版)"),
}  # fmt: skip
PRACTICE_NAMES: dict[str, tuple[str, str, str, str, str]] = {
    "kaizen_5s": ("Aplicación de Kaizen 5S", "Application du Kaizen 5S", "Penerapan Kaizen 5S",
                  "Áp dụng Kaizen 5S", "实施改善 5S"),
    "daily_meetings": ("Reuniones diarias entre trabajadores y dirección",
                       "Réunions quotidiennes travailleurs-direction",
                       "Rapat harian pekerja dan manajer",
                       "Họp giao ban hằng ngày giữa công nhân và quản lý", "每日员工与管理层会议"),
    "suggestion_scheme": ("Sistema de sugerencias de los empleados",
                          "Système de suggestions du personnel", "Sistem saran karyawan",
                          "Hệ thống góp ý của người lao động", "员工建议制度"),
    "eit_women_and_men": ("Inclusión de mujeres y hombres en el equipo de mejora (EME)",
                          "Inclusion des femmes et des hommes dans l'équipe d'amélioration (EAE)",
                          "Keterlibatan perempuan dan laki-laki dalam tim perbaikan (TPP)",
                          "Có cả nữ và nam trong nhóm cải tiến doanh nghiệp",
                          "企业改进团队中男女兼有"),
    "quality_policy": ("Existencia de una política de calidad", "Existence d'une politique qualité",
                       "Adanya kebijakan mutu", "Có chính sách chất lượng", "具有质量方针"),
    "quality_info_shared": ("Información de calidad compartida con los empleados",
                            "Informations qualité partagées avec le personnel",
                            "Informasi mutu dibagikan kepada karyawan",
                            "Chia sẻ thông tin chất lượng với người lao động",
                            "与员工共享质量信息"),
    "defect_analysis": ("Análisis sistemático de las causas de defectos",
                        "Analyse systématique des causes de défauts",
                        "Analisis sistematis penyebab cacat",
                        "Phân tích có hệ thống nguyên nhân lỗi", "系统分析缺陷原因"),
    "machine_maintenance": ("Sistema de mantenimiento de maquinaria",
                            "Système de maintenance des machines", "Sistem perawatan mesin",
                            "Hệ thống bảo trì máy móc", "设备维护制度"),
    "hr_policy": ("Política de recursos humanos", "Politique de ressources humaines",
                  "Kebijakan sumber daya manusia", "Chính sách nhân sự", "人力资源政策"),
    "job_descriptions": ("Existencia de descripciones de puestos", "Existence de fiches de poste",
                         "Adanya uraian jabatan", "Có bản mô tả công việc", "具有岗位说明书"),
    "osh_committee": ("Comité de SST de trabajadores y dirección",
                      "Comité SST travailleurs-direction", "Komite K3 pekerja dan manajer",
                      "Ban an toàn, vệ sinh lao động gồm công nhân và quản lý",
                      "劳资职业安全健康委员会"),
    "osh_policy": ("Política de seguridad y salud en el trabajo",
                   "Politique de sécurité et santé au travail",
                   "Kebijakan keselamatan dan kesehatan kerja",
                   "Chính sách an toàn và vệ sinh lao động", "职业安全与健康政策"),
}  # fmt: skip
KPI_NAMES: dict[str, tuple[str, str, str, str, str]] = {
    "productivity": ("Productividad laboral", "Productivité du travail",
                     "Produktivitas tenaga kerja", "Năng suất lao động", "劳动生产率"),
    "defect_rate": ("Tasa de defectos", "Taux de défauts", "Tingkat cacat", "Tỷ lệ lỗi", "缺陷率"),
    "absenteeism": ("Absentismo", "Absentéisme", "Tingkat ketidakhadiran", "Tỷ lệ vắng mặt",
                    "缺勤率"),
    "labour_turnover": ("Rotación de personal", "Rotation du personnel",
                        "Perputaran tenaga kerja", "Tỷ lệ nghỉ việc", "员工流动率"),
    "accidents": ("Accidentes", "Accidents", "Kecelakaan", "Tai nạn lao động", "事故"),
    "worker_complaints": ("Quejas de los trabajadores", "Plaintes des travailleurs",
                          "Keluhan pekerja", "Khiếu nại của công nhân", "员工投诉"),
    "energy_use": ("Consumo de energía", "Consommation d'énergie", "Penggunaan energi",
                   "Tiêu thụ năng lượng", "能源消耗"),
    "water_use": ("Consumo de agua", "Consommation d'eau", "Penggunaan air", "Tiêu thụ nước",
                  "用水量"),
    "cost_savings": ("Ahorro de costos", "Économies de coûts", "Penghematan biaya",
                     "Tiết kiệm chi phí", "成本节约"),
    "average_wage": ("Salario mensual medio", "Salaire mensuel moyen", "Upah bulanan rata-rata",
                     "Lương tháng bình quân", "月平均工资"),
    "employment": ("Empleo", "Emploi", "Jumlah pekerja", "Việc làm", "就业人数"),
    "employment_female": ("Empleo, mujeres", "Emploi, femmes", "Jumlah pekerja, perempuan",
                          "Việc làm, nữ", "就业人数(女性)"),
    "employment_male": ("Empleo, hombres", "Emploi, hommes", "Jumlah pekerja, laki-laki",
                        "Việc làm, nam", "就业人数(男性)"),
    "on_time_delivery": ("Entregas a tiempo", "Livraisons à temps", "Pengiriman tepat waktu",
                         "Giao hàng đúng hạn", "准时交货率"),
}  # fmt: skip


def name_translations(names: tuple[str, ...]) -> dict[str, str]:
    return dict(zip(NAME_LANGUAGES, names, strict=True))


# Units of local currency per US dollar, 1 January of each year (rounded annual rates).
RATES: dict[str, tuple[float, ...]] = {  # 2009 .. 2024
    "CNY": (6.83, 6.83, 6.59, 6.31, 6.23, 6.05, 6.20, 6.49, 6.95, 6.51, 6.88, 6.96, 6.53, 6.38,
            6.92, 7.10),
    "ZAR": (9.30, 7.40, 7.40, 8.10, 8.45, 10.50, 11.60, 15.50, 13.70, 12.40, 14.40, 14.00, 14.70,
            15.90, 17.00, 18.30),
    "IDR": (10950, 9400, 8990, 9070, 9670, 12170, 12440, 13790, 13440, 13570, 13900, 13900,
            14100, 14270, 15730, 15420),
    "INR": (48.5, 46.6, 44.7, 53.3, 54.8, 62.0, 63.3, 66.3, 67.9, 64.0, 69.8, 71.4, 73.1, 74.3,
            82.7, 83.2),
    "COP": (2240, 2040, 1920, 1940, 1770, 1930, 2390, 3150, 3000, 2980, 3250, 3280, 3430, 4000,
            4810, 3820),
    "GHS": (1.20, 1.43, 1.48, 1.57, 1.92, 2.39, 3.20, 3.75, 4.20, 4.45, 4.80, 5.35, 5.70, 6.00,
            8.60, 11.90),
    "VND": (17480, 17940, 19500, 20830, 20830, 21100, 21380, 21890, 22160, 22700, 23200, 23170,
            23090, 22830, 23630, 24270),
    "PEN": (3.14, 2.89, 2.81, 2.70, 2.55, 2.80, 2.98, 3.41, 3.36, 3.24, 3.37, 3.31, 3.62, 3.99,
            3.81, 3.70),
    "BOB": (7.07, 7.07, 7.04, 6.96, 6.96, 6.96, 6.96, 6.96, 6.96, 6.96, 6.96, 6.96, 6.96, 6.96,
            6.96, 6.96),
}  # fmt: skip
FIRST_RATE_YEAR = 2009


@dataclass(frozen=True)
class CountrySpec:
    """A country page of the report (Phase II box, project profile, tables 2 and figure 6)."""

    code: str
    name: str
    currency: str
    start: dt.date
    smes_phase1: int
    smes_phase2: int
    women_owned_pct: int
    more_modules_pct: int
    workers_pct: int
    women_pct: int
    trainers_phase2: int
    trainers_women_pct: int
    certified_phase2: int
    satisfaction_pct: int
    recovery_target: int | None
    recovery: tuple[int | None, ...]  # 2013 .. 2017 (table 2)
    cost_per_enrolment_usd: int
    unionised_pct: int
    follow_up_modules: tuple[str, ...]
    sectors: tuple[str, ...]
    regions: tuple[str, ...]
    partners: tuple[tuple[str, str, str], ...]  # key, name, organisation type


COUNTRIES: tuple[CountrySpec, ...] = (
    CountrySpec("CN", "China", "CNY", D(2009, 8, 1), 56, 126, 9, 39, 47, 34, 168, 21, 33, 96,
                70, (38, 28, 57, 84, 95), 6000, 80, ("M5", "M2", "M3", "M4"),
                ("Machinery", "Apparel", "Other manufacturing"),
                ("Dalian", "Chongqing", "Chengdu", "Shanghai", "Shenzhen", "Jiangsu", "Zhejiang"),
                (("CEC", "China Enterprise Confederation", "employer_organisation"),
                 ("SAWS", "State Administration of Work Safety", "government_agency"),
                 ("CEC-CQ", "CEC Chongqing", "employer_organisation"),
                 ("ACFTU", "All-China Federation of Trade Unions", "trade_union"))),
    CountrySpec("ZA", "South Africa", "ZAR", D(2009, 8, 1), 37, 76, 25, 30, 75, 64, 31, 40, 1, 78,
                48, (8, 7, 47, 52, 46), 1800, 20, ("M2", "M4", "M5", "HOSPITALITY"),
                ("Tourism",), ("Eastern Cape", "KwaZulu-Natal", "Free State"),
                (("SANPARKS", "South African National Parks", "government_agency"),
                 ("KNP", "Kruger National Park", "government_agency"),
                 ("EKZNW", "Ezemvelo KZN Wildlife", "government_agency"),
                 ("ECDC", "Eastern Cape Development Corporation", "government_agency"))),
    CountrySpec("ID", "Indonesia", "IDR", D(2009, 10, 1), 87, 175, 35, 9, 62, 45, 107, 33, 12,
                81, 55, (50, 43, 17, 41, 62), 5000, 25, ("SHORT-ALL", "M2", "M5"),
                ("Automotive", "Food and beverage", "Handicraft", "Furniture", "Apparel"),
                ("Jakarta", "West Java", "Central Java", "Yogyakarta", "East Java",
                 "North Sumatera", "South Sulawesi"),
                (("MOM", "Ministry of Manpower", "government_training"),
                 ("APINDO", "Employers' Association of Indonesia", "employer_organisation"),
                 ("BEDO", "Business and Export Development Organization", "private_training"),
                 ("SOI", "Sentra Otomotive Indonesia", "industry_association"))),
    CountrySpec("IN", "India", "INR", D(2010, 10, 1), 40, 61, 15, 56, 38, 12, 46, 30, 15, 87,
                55, (38, 35, 41, 47, 58), 3000, 15, ("M2", "M5", "M3", "M4"),
                ("Automotive components", "Electronics", "Fabrication", "Readymade garments"),
                ("Delhi NCR", "Pune", "Ahmednagar", "Nashik", "Bangalore", "Chennai",
                 "Coimbatore", "Tiruppur"),
                (("FICCI", "Federation of Indian Chambers of Commerce and Industry",
                  "employer_organisation"),
                 ("AIEMA", "Ambattur Industrial Estates Manufacturers Association",
                  "industry_association"),
                 ("MSME", "Ministry of Micro, Small and Medium Enterprises", "government_agency"),
                 ("MSME-TDC", "MSME Technology Development Centre", "government_training"))),
    CountrySpec("CO", "Colombia", "COP", D(2010, 12, 1), 36, 131, 23, 59, 64, 51, 83, 49, 55, 90,
                82, (51, 50, 47, 91, 90), 7000, 8, ("M2", "M3", "M4", "M5"),
                ("Textiles", "Floriculture"),
                ("Antioquia", "Cundinamarca", "Valle del Cauca", "Risaralda", "Santander"),
                (("CTA", "Science and Technology Centre of Antioquia", "ngo_academic"),
                 ("CEG", "CEG SAS", "private_training"),
                 ("ALIANZAS", "Alianzas por el Desarrollo", "ngo_academic"),
                 ("MINCIT", "Ministry of Commerce, Industry and Tourism", "government_agency"))),
    CountrySpec("GH", "Ghana", "GHS", D(2011, 5, 1), 48, 124, 10, 19, 68, 25, 28, 20, 14, 85,
                60, (29, 24, 29, 9, 54), 2500, 30, ("M2", "M5", "M4"), ("Manufacturing",),
                ("Greater Accra", "Central", "Western", "Brong-Ahafo"),
                (("AGI", "Association of Ghanaian Industries", "industry_association"),
                 ("STSG", "SCORE Training Solutions Ghana", "private_training"),
                 ("STCCI", "Sekondi-Takoradi Chamber of Commerce and Industry",
                  "industry_association"),
                 ("SDF", "Skills Development Fund", "government_agency"))),
    CountrySpec("VN", "Viet Nam", "VND", D(2011, 8, 1), 40, 106, 13, 37, 55, 21, 49, 27, 11, 88,
                50, (31, 19, 32, 38, 45), 1500, 85, ("M2", "M5", "M3", "M4"),
                ("Wooden furniture", "Garments and footwear", "Supporting industries"),
                ("Ho Chi Minh City", "Dong Nai", "Binh Duong", "Long An", "Tay Ninh",
                 "Binh Dinh"),
                (("VCCI", "Viet Nam Chamber of Commerce and Industry", "employer_organisation"),
                 ("HAWA", "Handicraft and Wood Industry Association", "industry_association"),
                 ("BIFA", "Binh Duong Furniture Association", "industry_association"),
                 ("FPA", "Forest Products Association of Binh Dinh", "industry_association"))),
    CountrySpec("PE", "Peru", "PEN", D(2013, 7, 1), 9, 105, 31, 26, 44, 35, 38, 32, 28, 88,
                50, (16, 30, 35, 44, 49), 6000, 10, ("M2", "M3", "M5"),
                ("Manufacturing", "Agribusiness", "Construction"),
                ("Ayacucho", "Ica", "La Libertad", "Lambayeque", "Lima", "Piura", "Puno",
                 "Ucayali"),
                (("PRODUCE", "Ministry of Production", "government_agency"),
                 ("ITP", "Institute of Production Technology", "government_training"),
                 ("CITEMADERA", "Technological Innovation Centre for Wood",
                  "government_training"),
                 ("USAT", "Santo Toribio de Mogrovejo Catholic University", "ngo_academic"))),
    CountrySpec("BO", "Bolivia", "BOB", D(2013, 7, 1), 9, 53, 6, 92, 47, 37, 31, 50, 20, 90,
                None, (None, 0, 0, 45, 57), 1500, 20, ("M5", "M2"),
                ("Food processing", "Wood products", "Other manufacturing"),
                ("La Paz", "El Alto", "Cochabamba", "Santa Cruz"),
                (("CEPB", "Confederation of Private Entrepreneurs of Bolivia",
                  "employer_organisation"),
                 ("CNI", "National Chamber of Industries of Bolivia", "industry_association"),
                 ("CAMIND", "Departmental Chamber of Industries of Cochabamba",
                  "industry_association"))),
)  # fmt: skip
COUNTRY_BY_CODE = {spec.code: spec for spec in COUNTRIES}


def catalogue_id(kind: str, code: str) -> uuid.UUID:
    """The same id for the same catalogue entry in every installation."""
    return uuid.uuid5(CATALOGUE_NAMESPACE, f"{kind}:{code}")


def rate_for(currency: str, day: dt.date) -> float:
    """The stored rate in force on `day` (the rate of 1 January of its year)."""
    table = RATES[currency]
    index = min(max(day.year - FIRST_RATE_YEAR, 0), len(table) - 1)
    return table[index]


# --------------------------------------------------------------------------
# The loaded catalogue the builders refer to
# --------------------------------------------------------------------------


@dataclass
class Catalogue:
    countries: dict[str, CountryProgramme]
    phases: dict[str, Phase]
    modules: dict[str, uuid.UUID]
    practices: list[tuple[uuid.UUID, int, int]]
    kpis: dict[str, tuple[uuid.UUID, KpiSpec]]


def _get_or_create(model: type[Any], kind: str, code: str, **values: Any) -> Any:
    lookup = {"name": code} if model is Phase else {"code": code}
    obj, created = model.objects.get_or_create(
        **lookup, defaults={"id": catalogue_id(kind, code), **values}
    )
    # A catalogue loaded before its names were translated gets them; edited ones stay.
    if not created and values.get("name_translations") and not obj.name_translations:
        obj.name_translations = values["name_translations"]
        obj.save(update_fields=["name_translations"])
    return obj


def load_catalogues() -> Catalogue:
    """Phases, modules, practices, KPIs, countries and rates, idempotently (by code)."""
    phases = {
        name: _get_or_create(Phase, "phase", name, start_date=start, end_date=end)
        for name, start, end in PHASES
    }
    modules = {
        code: _get_or_create(
            Module,
            "module",
            code,
            name=name,
            name_translations=name_translations(MODULE_NAMES[code]),
            core=core,
            compulsory_first=first,
        )
        for code, name, core, first in MODULES
    }
    practices = [
        (_load_practice(code, name, modules[mod]).id, bef, new)
        for code, name, mod, bef, new in PRACTICES
    ]
    kpis = {spec.code: (_load_kpi(spec, modules).id, spec) for spec in KPIS}
    countries = {
        spec.code: _get_or_create(
            CountryProgramme,
            "country",
            spec.code,
            name=spec.name,
            start_date=spec.start,
            currency=spec.currency,
        )
        for spec in COUNTRIES
    }
    load_rates()
    return Catalogue(countries, phases, {c: m.id for c, m in modules.items()}, practices, kpis)


def _load_practice(code: str, name: str, module: Module) -> Practice:
    translations = name_translations(PRACTICE_NAMES[code])
    return _get_or_create(
        Practice, "practice", code, name=name, name_translations=translations, module=module
    )


def _load_kpi(spec: KpiSpec, modules: dict[str, Module]) -> Kpi:
    return _get_or_create(
        Kpi,
        "kpi",
        spec.code,
        name=spec.name,
        name_translations=name_translations(KPI_NAMES[spec.code]),
        unit=spec.unit,
        better=spec.better,
        module=modules[spec.module] if spec.module else None,
        numerator=spec.numerator,
        denominator=spec.denominator,
    )


def load_rates() -> None:
    rows = [
        ExchangeRate(
            id=catalogue_id("rate", f"{currency}:{FIRST_RATE_YEAR + i}"),
            currency=currency,
            date=D(FIRST_RATE_YEAR + i, 1, 1),
            per_usd=Decimal(str(per_usd)),
        )
        for currency, table in RATES.items()
        for i, per_usd in enumerate(table)
    ]
    # Rates are reference data: an existing (currency, date) keeps its value.
    ExchangeRate.objects.bulk_create(rows, ignore_conflicts=True)


def load_targets(catalogue: Catalogue) -> None:
    """Table 2's Phase II cost-recovery targets and the report's global targets."""
    phase2 = catalogue.phases["II"]
    rows: list[tuple[str, CountryProgramme | None, Phase | None, int]] = [
        ("cost_recovery_pct", catalogue.countries[spec.code], phase2, spec.recovery_target)
        for spec in COUNTRIES
        if spec.recovery_target is not None
    ]
    rows += [
        ("satisfaction_good_pct", None, None, 75),
        ("trainers_certified", None, phase2, 99),
        ("trainers_certified_women_pct", None, phase2, 29),
        ("smes_more_than_one_module_pct", None, phase2, 30),
        ("smes_trained", None, phase2, 1144),
        ("partners_active", None, phase2, 30),
    ]
    for indicator, country, phase, value in rows:
        Target.objects.get_or_create(
            indicator=indicator,
            country=country,
            phase=phase,
            year=None,
            defaults={"value": Decimal(value)},
        )
    # "89 NTAC meetings have been held over both phases (target: 95)": by Phase II's end.
    Target.objects.get_or_create(
        indicator="ntac_meetings",
        country=None,
        phase=phase2,
        year=None,
        defaults={"value": Decimal(95), "cumulative": True},
    )
    load_results_chain()


# The programme's results chain, from the Phase II report's development objective
# and its three immediate objectives (section 2.1).
RESULTS_CHAIN = (
    (
        "IMPACT",
        "impact",
        "National institutions provide SCORE Training independently of the ILO and donor"
        " funding, improving the working conditions, productivity and competitiveness of SMEs",
        "practice_newly_implemented_pct, kpi_improved_pct, jobs_created",
        "Firms keep the practices after the training; markets let productive firms grow.",
        "Enterprise baseline and progress assessments; monthly KPIs; impact studies.",
    ),
    (
        "OC1",
        "outcome",
        "Industry associations and training institutions market, sell and organise SCORE"
        " Training for SMEs on a cost-recovering basis",
        "cost_recovery_pct, partners_active, deliveries_independent_pct",
        "Partners see SCORE Training as a business line worth keeping.",
        "Direct costs and contributions recorded per delivery; partner agreements.",
    ),
    (
        "OC2",
        "outcome",
        "Service providers deliver effective SCORE Training and consulting to SMEs",
        "satisfaction_good_pct, smes_more_than_one_module_pct",
        "Certified trainers stay with the partners.",
        "Participant satisfaction forms; enrolments per firm.",
    ),
    (
        "OC3",
        "outcome",
        "Increased awareness of responsible workplace practices at the local, national and"
        " global level",
        "constituents_trained, ntac_meetings",
        "Constituents take part in the tripartite committees.",
        "Event attendance lists; NTAC minutes.",
    ),
    (
        "OP1",
        "output",
        "SMEs, managers and workers trained in SCORE modules",
        "smes_trained, staff_trained, staff_trained_women_pct",
        "Firms release managers and workers for the classroom.",
        "Deliveries, enrolments and participant lists.",
    ),
    (
        "OP2",
        "output",
        "Trainers trained and certified",
        "trainers_trained, trainers_certified, trainers_certified_women_pct",
        "Enough candidates meet the certification standard.",
        "Trainer milestones and certification decisions.",
    ),
    (
        "ACT1",
        "activity",
        "Organise classroom modules and in-factory consulting visits",
        "deliveries, enrolments",
        "Partners find firms willing to pay part of the cost.",
        "Delivery records; consulting visit logs.",
    ),
    (
        "ACT2",
        "activity",
        "Run awareness events and national tripartite advisory committees",
        "",
        "",
        "Event records.",
    ),
)


def load_results_chain() -> None:
    """The programme's default chain; a chain already there is kept as it is."""
    from scoretrack.results.models import ResultLevel

    if ResultLevel.objects.filter(country__isnull=True).exists():
        return
    for position, (key, level, statement, codes, assumptions, verification) in enumerate(
        RESULTS_CHAIN, 1
    ):
        ResultLevel.objects.create(
            key=key,
            level=level,
            position=position,
            statement=statement,
            indicators=codes,
            assumptions=assumptions,
            verification=verification,
        )
