"""Synthetic programme data shaped like the SCORE Phase II report (seeds/003).

One generator serves `scoretrack demo` (the report's nine country programmes,
1,319 SMEs over phases I and II, figure 6) and `scoretrack generate` (the same
shapes at any scale). The builders are pure: they take a `random.Random` and the
loaded catalogue and return unsaved model instances whose ids come from a seeded
counter, so a seed fixes every id, key and value. `write_rows` inserts them in
batches (`lib.bulk.insert`, the import's bulk inserter); nothing here calls
`save()`, so no per-row history is written.

Shapes (what the tests hold): every enterprise takes Module 1 first, in a
delivery of 4-5 enterprises with about four participants each; some go on to
further modules; every money row carries its USD value at the rate of its year.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models.base import ModelState

from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.events.models import Event, EventParticipation
from scoretrack.finance.models import Contribution, DirectCost, ExchangeRate
from scoretrack.lib import bulk, derived
from scoretrack.outcomes.models import (
    Assessment,
    Initiative,
    Kpi,
    KpiObservation,
    Practice,
    PracticeAnswer,
    WorkerSurveyAnswer,
)
from scoretrack.reference.models import (
    Agreement,
    Cluster,
    CountryProgramme,
    Module,
    Organisation,
    Phase,
    Region,
    Sector,
    Target,
)
from scoretrack.trainers.models import Milestone, Trainer
from scoretrack.training.models import ConsultingVisit, Delivery, Enrolment, Participant

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

GLOBAL_ORGANISATIONS: tuple[tuple[str, str, str], ...] = (
    ("SECO", "Swiss State Secretariat for Economic Affairs", "donor"),
    ("NORAD", "Norwegian Agency for Development Cooperation", "donor"),
)
# Fictional multinationals: the demo must not claim that a real brand sponsored anyone.
LEAD_BUYERS: tuple[str, ...] = (
    "Northwind Apparel", "Contoso Motors", "Fabrikam Furniture", "Woodgrove Foods",
    "Litware Electronics", "Adatum Footwear", "Proseware Components", "Tailspin Hotels",
)  # fmt: skip

# Figure 9: constituents trained in Phase II, by group: (participants, % women).
CONSTITUENT_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("government", 389, 36),
    ("employers", 154, 42),
    ("trade_unions", 263, 50),
    ("other", 103, 35),
)

INITIATIVE_TITLES: dict[str, tuple[str, ...]] = {
    "M1": ("Introduce 5S in the workshop", "Daily start-of-shift meeting",
           "Suggestion box with monthly review", "Notice board for production targets",
           "Separate changing rooms for women and men", "Women nominated to the EIT",
           "Anti-harassment policy and focal point"),
    "M2": ("Quality checkpoints on the line", "Defect tracking sheet",
           "Root-cause analysis of rework", "Supplier quality agreement"),
    "M3": ("Fix compressed-air leaks", "Switch to LED lighting", "Recycle offcuts",
           "Water meter per process"),
    "M4": ("Written job descriptions", "Skills matrix and training plan",
           "Transparent wage scale for women and men", "Family responsibility leave policy"),
    "M5": ("Machine guarding", "OSH committee with worker members", "First-aid training",
           "Personal protective equipment issued and used", "Lactation room"),
}  # fmt: skip
GENDER_TITLES = frozenset(
    {
        "Separate changing rooms for women and men",
        "Women nominated to the EIT",
        "Anti-harassment policy and focal point",
        "Transparent wage scale for women and men",
        "Family responsibility leave policy",
        "Lactation room",
    }
)
SURVEY_QUESTIONS = ("communication", "safety", "suggestions_heard", "job_satisfaction")

# Insert order: every model after the models it refers to.
MODEL_ORDER: tuple[type[models.Model], ...] = (
    Organisation,
    Agreement,
    Region,
    Sector,
    Cluster,
    Trainer,
    Milestone,
    Enterprise,
    LeadBuyerLink,
    Delivery,
    Delivery.trainers.through,
    Enrolment,
    Participant,
    ConsultingVisit,
    DirectCost,
    Contribution,
    Assessment,
    PracticeAnswer,
    KpiObservation,
    Initiative,
    WorkerSurveyAnswer,
    Event,
    EventParticipation,
)

# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------


def catalogue_id(kind: str, code: str) -> uuid.UUID:
    """The same id for the same catalogue entry in every installation."""
    return uuid.uuid5(CATALOGUE_NAMESPACE, f"{kind}:{code}")


class IdMaker:
    """Sequential UUIDs under a seeded 64-bit run prefix.

    Deterministic for a seed, and sequential so that bulk inserts append to the
    primary-key index instead of scattering over it.
    """

    def __init__(self, rng: random.Random) -> None:
        self.prefix = rng.getrandbits(64) << 64
        self.counter = 0

    def __call__(self) -> uuid.UUID:
        self.counter += 1
        return uuid.UUID(int=self.prefix | self.counter, version=4)


def money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def rate_for(currency: str, day: dt.date) -> float:
    """The stored rate in force on `day` (the rate of 1 January of its year)."""
    table = RATES[currency]
    index = min(max(day.year - FIRST_RATE_YEAR, 0), len(table) - 1)
    return table[index]


def days_after(day: dt.date, low: int, high: int, rng: random.Random) -> dt.date:
    return day + dt.timedelta(days=rng.randint(low, high))


def random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max((end - start).days, 0)))


def month_start(day: dt.date, plus: int = 0) -> dt.date:
    months = day.year * 12 + day.month - 1 + plus
    return D(months // 12, months % 12 + 1, 1)


def representable(n: int) -> bool:
    """Whether n enterprises can be split into deliveries of four or five."""
    return n == 0 or (n >= 4 and n not in (6, 7, 11))


def split_groups(n: int, rng: random.Random) -> list[int]:
    """Delivery sizes of 4 or 5 summing to n (one smaller group only if n cannot be split)."""
    sizes: list[int] = []
    while n > 0:
        choices = [s for s in (4, 5) if s <= n and representable(n - s)]
        # No choice when n is 1, 2, 3, 6, 7 or 11: the remainder cannot be split evenly.
        size = rng.choice(choices) if choices else min(n, 5)
        sizes.append(size)
        n -= size
    return sizes


_DEFAULTS: dict[type[models.Model], dict[str, Any]] = {}


def new(model: type[models.Model], **values: Any) -> Any:
    """An unsaved instance from attribute values (`country_id`, not `country`).

    Model.__init__ was 40% of a large run's CPU; the builders set every value
    themselves, so the instance only needs the field defaults and a fresh state.
    """
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = {f.attname: f.get_default() for f in model._meta.concrete_fields}
        _DEFAULTS[model] = defaults
    obj = model.__new__(model)
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    obj._state = ModelState()
    return obj


def chance(rng: random.Random, pct: float) -> bool:
    return rng.random() * 100 < pct


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
    ]
    for indicator, country, phase, value in rows:
        Target.objects.get_or_create(
            indicator=indicator,
            country=country,
            phase=phase,
            year=None,
            defaults={"value": Decimal(value)},
        )


# --------------------------------------------------------------------------
# Rows of one run, grouped by model
# --------------------------------------------------------------------------


@dataclass
class Rows:
    by_model: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)

    def add(self, obj: models.Model) -> None:
        self.by_model.setdefault(type(obj), []).append(obj)

    def extend(self, objs: Iterable[models.Model]) -> None:
        for obj in objs:
            self.add(obj)

    def count(self) -> int:
        return sum(len(objs) for objs in self.by_model.values())

    def ordered(self) -> Iterator[tuple[type[models.Model], list[models.Model]]]:
        for model in MODEL_ORDER:
            if self.by_model.get(model):
                yield model, self.by_model[model]


@dataclass
class Window:
    """The dates a cohort of enterprises takes its first module in."""

    phase: str
    start: dt.date
    end: dt.date


@dataclass
class TrainerPool:
    """Trainers of one country sorted by the date they were trained."""

    dates: list[dt.date] = field(default_factory=list)
    ids: list[uuid.UUID] = field(default_factory=list)

    def pick(self, rng: random.Random, on: dt.date, k: int) -> list[uuid.UUID]:
        available = max(bisect.bisect_right(self.dates, on), min(k, len(self.ids)))
        return [self.ids[i] for i in rng.sample(range(available), min(k, available))]


@dataclass
class CountryFrame:
    """What the enterprises of one country refer to: partners, places, trainers."""

    spec: CountrySpec
    country: CountryProgramme
    prefix: str
    organisers: list[uuid.UUID]
    public_bodies: list[uuid.UUID]
    donors: list[uuid.UUID]
    lead_buyers: list[uuid.UUID]
    regions: list[uuid.UUID]
    sectors: list[uuid.UUID]
    clusters: list[tuple[uuid.UUID, uuid.UUID]]  # cluster, its sector
    trainers: TrainerPool


# --------------------------------------------------------------------------
# Country frame: organisations, agreements, places, trainers, events
# --------------------------------------------------------------------------


CLUSTERS: dict[str, tuple[tuple[str, str], ...]] = {
    "CN": (("Chongqing machinery", "Machinery"),),
    "IN": (("Pune auto components", "Automotive components"),),
    "VN": (("Binh Duong furniture", "Wooden furniture"),),
    "CO": (("Bogota flower growers", "Floriculture"),),
    "PE": (("Ucayali wood", "Manufacturing"),),
}
ORGANISER_TYPES = frozenset(
    {
        "government_training",
        "employer_organisation",
        "industry_association",
        "private_training",
        "ngo_academic",
        "government_agency",
    }
)


def prepare_frame(catalogue: Catalogue, spec: CountrySpec, prefix: str) -> CountryFrame:
    """Get or create the country's places and partners: shared by every run, like a catalogue."""
    country = catalogue.countries[spec.code]
    partners = [_partner(country, key, name, kind) for key, name, kind in spec.partners]
    partners.append(
        _partner(country, "TU", f"National trade union confederation ({spec.name})", "trade_union")
    )
    donors = [_global_organisation(key, name, kind).id for key, name, kind in GLOBAL_ORGANISATIONS]
    buyers = [
        _global_organisation(f"LB-{index:02d}", name, "lead_buyer").id
        for index, name in enumerate(LEAD_BUYERS, start=1)
    ]
    sectors = {name: _sector(name) for name in spec.sectors}
    clusters = []
    for name, sector_name in CLUSTERS.get(spec.code, ()):
        sector = sectors.get(sector_name) or _sector(sector_name)
        clusters.append((_cluster(country, name, sector), sector))
    regions = [
        Region.objects.get_or_create(
            country=country,
            name=name,
            defaults={"id": catalogue_id("region", f"{spec.code}:{name}")},
        )[0].id
        for name in spec.regions
    ]
    return CountryFrame(
        spec=spec,
        country=country,
        prefix=prefix,
        organisers=[org.id for org in partners if org.type in ORGANISER_TYPES],
        public_bodies=[org.id for org in partners if org.type.startswith("government")],
        donors=donors,
        lead_buyers=buyers,
        regions=regions,
        sectors=list(sectors.values()),
        clusters=clusters,
        trainers=TrainerPool(),
    )


def _partner(country: CountryProgramme, key: str, name: str, kind: str) -> Organisation:
    org, created = Organisation.objects.get_or_create(
        country=country,
        key=key,
        defaults={
            "id": catalogue_id("organisation", f"{country.code}:{key}"),
            "name": name,
            "type": kind,
        },
    )
    if created:
        # Seeded by the organisation, not the run: whichever run creates it, it is the same.
        rng = random.Random(f"agreement:{country.code}:{key}")
        signed = random_day(rng, country.start_date, country.start_date + dt.timedelta(days=1500))
        ended = days_after(signed, 700, 2500, rng) if chance(rng, 20) else None
        kinds = ("mou", "mou", "mou", "technical_collaboration", "co_finance")
        Agreement.objects.create(
            id=catalogue_id("agreement", f"{country.code}:{key}"),
            organisation=org,
            country=country,
            kind=rng.choice(kinds),
            signed_on=signed,
            ended_on=ended,
        )
    return org


def _global_organisation(key: str, name: str, kind: str) -> Organisation:
    return Organisation.objects.get_or_create(
        country=None,
        key=key,
        defaults={"id": catalogue_id("organisation", key), "name": name, "type": kind},
    )[0]


def _sector(name: str) -> uuid.UUID:
    return Sector.objects.get_or_create(name=name, defaults={"id": catalogue_id("sector", name)})[
        0
    ].id


def _cluster(country: CountryProgramme, name: str, sector: uuid.UUID) -> uuid.UUID:
    return Cluster.objects.get_or_create(
        country=country,
        name=name,
        defaults={"id": catalogue_id("cluster", f"{country.code}:{name}"), "sector_id": sector},
    )[0].id


def independence_for(rng: random.Random, phase: str) -> str:
    """Phase I: mostly the programme; Phase II on: 82% with medium or high independence."""
    weights = {"I": (70, 25, 5), "II": (18, 50, 32)}.get(phase, (5, 35, 60))
    return rng.choices(("programme", "supported", "independent"), weights=weights)[0]


def build_trainers(
    rng: random.Random,
    new_id: IdMaker,
    frame: CountryFrame,
    windows: list[tuple[dt.date, dt.date, int, int]],
) -> Iterator[Trainer | Milestone]:
    """Trainers trained in each window (start, end, count, certified); some certified later."""
    spec = frame.spec
    number = len(frame.trainers.ids)
    for start, end, count, certified in windows:
        share = certified / count if count else 0.0
        for _ in range(count):
            number += 1
            trained = random_day(rng, start, end)
            trainer = new(
                Trainer,
                id=new_id(),
                key=f"{frame.prefix}{spec.code}-T{number:05d}",
                name=f"Trainer {spec.code}-{number:05d}",
                sex="female" if chance(rng, spec.trainers_women_pct) else "male",
                country_id=frame.country.id,
                organisation_id=rng.choice(frame.organisers) if chance(rng, 70) else None,
            )
            frame.trainers.dates.append(trained)
            frame.trainers.ids.append(trainer.id)
            yield trainer
            yield from _milestones(rng, new_id, trainer, trained, end, share)
    order = sorted(range(len(frame.trainers.ids)), key=lambda i: frame.trainers.dates[i])
    frame.trainers.dates = [frame.trainers.dates[i] for i in order]
    frame.trainers.ids = [frame.trainers.ids[i] for i in order]


def _milestones(
    rng: random.Random,
    new_id: IdMaker,
    trainer: Trainer,
    trained: dt.date,
    window_end: dt.date,
    certified_share: float,
) -> Iterator[Milestone]:
    yield new(Milestone, id=new_id(), trainer_id=trainer.id, milestone="trained", date=trained)
    last = trained
    if rng.random() < certified_share:
        certified = min(days_after(trained, 120, 540, rng), max(window_end, trained))
        if certified > trained:
            last = certified
            yield new(
                Milestone, id=new_id(), trainer_id=trainer.id, milestone="certified", date=certified
            )
            if chance(rng, 18):
                last = days_after(certified, 200, 900, rng)
                yield new(
                    Milestone, id=new_id(), trainer_id=trainer.id, milestone="expert", date=last
                )
    if chance(rng, 5):
        yield new(
            Milestone,
            id=new_id(),
            trainer_id=trainer.id,
            milestone="withdrawn",
            date=days_after(last, 90, 900, rng),
        )


def build_events(
    rng: random.Random, new_id: IdMaker, frame: CountryFrame, end: dt.date, scale: float = 1.0
) -> Iterator[Event | EventParticipation]:
    """NTAC meetings (one or two a year) and constituent trainings shaped like figure 9."""
    number = 0
    for year in range(frame.spec.start.year, end.year + 1):
        meetings = 1 + chance(rng, 20)
        trainings = max(1, round(scale))
        for kind in ["ntac_meeting"] * meetings + ["constituent_training"] * trainings:
            number += 1
            first = max(D(year, 1, 1), frame.spec.start)
            day = random_day(rng, first, min(D(year, 12, 31), end))
            yield from _event(rng, new_id, frame, kind, day, number)


def _event(
    rng: random.Random, new_id: IdMaker, frame: CountryFrame, kind: str, day: dt.date, number: int
) -> Iterator[Event | EventParticipation]:
    if kind == "constituent_training" and chance(rng, 15):
        kind = "workshop"
    event = new(
        Event,
        id=new_id(),
        key=f"{frame.prefix}{frame.spec.code}-EV{number:04d}",
        country_id=frame.country.id,
        kind=kind,
        date=day,
        title=f"{'NTAC meeting' if kind == 'ntac_meeting' else 'Constituent training'} {day:%Y-%m}",
    )
    yield event
    if kind != "ntac_meeting":
        yield from _event_participants(rng, new_id, event)


def _event_participants(
    rng: random.Random, new_id: IdMaker, event: Event
) -> Iterator[EventParticipation]:
    # Phase I events had fewer women (25% vs 43% in Phase II).
    women_factor = 0.6 if event.date.year < 2014 else 1.0
    for group, total, women_pct in CONSTITUENT_GROUPS:
        people = max(0, round(rng.gauss(total / 36, total / 120)))
        female = sum(chance(rng, women_pct * women_factor) for _ in range(people))
        yield new(
            EventParticipation,
            id=new_id(),
            event_id=event.id,
            group=group,
            female=female,
            male=people - female,
        )


# --------------------------------------------------------------------------
# Enterprises and everything that hangs off them, one chunk at a time
# --------------------------------------------------------------------------


@dataclass
class Firm:
    """An enterprise while its chunk is being built."""

    enterprise: Enterprise
    m1_start: dt.date
    extra_modules: list[str]
    last_end: dt.date
    people: int = 0
    eit: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    assessor: uuid.UUID | None = None
    visit_days: set[tuple[uuid.UUID, dt.date]] = field(default_factory=set)


@dataclass
class Counter:
    enterprises: int = 0
    deliveries: int = 0


def build_chunk(
    rng: random.Random,
    new_id: IdMaker,
    catalogue: Catalogue,
    frame: CountryFrame,
    window: Window,
    groups: list[int],
    counter: Counter,
) -> Rows:
    """Enterprises of `groups` (sizes of their Module 1 deliveries) with all their records."""
    rows = Rows()
    latest_m1 = max(window.start, window.end - dt.timedelta(days=240))
    firms: list[Firm] = []
    for size in groups:
        start = random_day(rng, window.start, latest_m1)
        cohort = [_make_firm(rng, new_id, frame, counter, start, rows) for _ in range(size)]
        firms.extend(cohort)
        _deliver(rng, new_id, catalogue, frame, window, "M1", cohort, start, counter, rows)
    _follow_ups(rng, new_id, catalogue, frame, window, firms, counter, rows)
    for firm in firms:
        _outcomes(rng, new_id, catalogue, frame, firm, rows)
    return rows


def _make_firm(
    rng: random.Random,
    new_id: IdMaker,
    frame: CountryFrame,
    counter: Counter,
    start: dt.date,
    rows: Rows,
) -> Firm:
    spec = frame.spec
    counter.enterprises += 1
    size = int(min(480, max(8, rng.lognormvariate(4.6, 0.9))))
    women_share = min(0.9, max(0.05, rng.gauss(spec.women_pct / 100, 0.15)))
    cluster = rng.choice(frame.clusters) if frame.clusters and chance(rng, 15) else None
    unionised = None if chance(rng, 5) else chance(rng, spec.unionised_pct)
    enterprise = new(
        Enterprise,
        id=new_id(),
        key=f"{frame.prefix}{spec.code}-E{counter.enterprises:06d}",
        name=f"{rng.choice(spec.sectors)} enterprise {spec.code}-{counter.enterprises:06d}",
        country_id=frame.country.id,
        region_id=rng.choice(frame.regions),
        sector_id=cluster[1] if cluster else rng.choice(frame.sectors),
        cluster_id=cluster[0] if cluster else None,
        workforce_female=round(size * women_share),
        workforce_male=size - round(size * women_share),
        women_owned=None if chance(rng, 4) else chance(rng, spec.women_owned_pct),
        unionised=unionised,
        collective_agreement=None if unionised is None else bool(unionised and chance(rng, 70)),
    )
    rows.add(enterprise)
    if frame.lead_buyers and chance(rng, 30 if spec.code in ("CN", "IN", "VN") else 12):
        rows.add(
            new(
                LeadBuyerLink,
                id=new_id(),
                enterprise_id=enterprise.id,
                lead_buyer_id=rng.choice(frame.lead_buyers),
            )
        )
    return Firm(enterprise, start, _extra_modules(rng, spec), start)


def _extra_modules(rng: random.Random, spec: CountrySpec) -> list[str]:
    # The country page's "took more than one module" share; a few leftovers that cannot
    # fill a delivery of four skip their follow-up, which the report's rounding hides.
    if not chance(rng, spec.more_modules_pct):
        return []
    count = rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
    pool = list(spec.follow_up_modules)
    first = pool[0] if spec.code in ("BO", "ID") else rng.choice(pool)
    rest = [m for m in pool if m != first]
    return [first, *rng.sample(rest, min(count - 1, len(rest)))]


def _follow_ups(
    rng: random.Random,
    new_id: IdMaker,
    catalogue: Catalogue,
    frame: CountryFrame,
    window: Window,
    firms: list[Firm],
    counter: Counter,
    rows: Rows,
) -> None:
    """Further modules, round by round, in deliveries of 4-5 firms after their last module."""
    for round_index in range(3):
        by_module: dict[str, list[Firm]] = {}
        for firm in firms:
            if len(firm.extra_modules) > round_index:
                by_module.setdefault(firm.extra_modules[round_index], []).append(firm)
        for module, waiting in by_module.items():
            waiting.sort(key=lambda firm: firm.last_end)
            for cohort in _cohorts(waiting):
                ready = max(firm.last_end for firm in cohort)
                room = max(15, min(150, (window.end - ready).days // 2))
                start = days_after(ready, 14, room, rng)
                _deliver(
                    rng, new_id, catalogue, frame, window, module, cohort, start, counter, rows
                )


def _cohorts(firms: list[Firm]) -> Iterator[list[Firm]]:
    """Consecutive groups of 4-5; a remainder that cannot be split skips the module."""
    index = 0
    while len(firms) - index >= 4:
        left = len(firms) - index
        size = 4 if representable(left - 4) or left < 5 else 5
        yield firms[index : index + size]
        index += size


def _deliver(
    rng: random.Random,
    new_id: IdMaker,
    catalogue: Catalogue,
    frame: CountryFrame,
    window: Window,
    module: str,
    cohort: list[Firm],
    start: dt.date,
    counter: Counter,
    rows: Rows,
) -> None:
    spec = frame.spec
    counter.deliveries += 1
    end = start + dt.timedelta(days=rng.choice((1, 1, 2, 8)))
    delivery = new(
        Delivery,
        id=new_id(),
        key=f"{frame.prefix}{spec.code}-D{counter.deliveries:06d}",
        country_id=frame.country.id,
        module_id=catalogue.modules[module],
        organiser_id=rng.choice(frame.organisers),
        independence=independence_for(rng, window.phase),
        start_date=start,
        end_date=end,
    )
    rows.add(delivery)
    trainers = frame.trainers.pick(rng, start, rng.choice((1, 2, 2)))
    rows.extend(
        new(Delivery.trainers.through, delivery_id=delivery.id, trainer_id=trainer)
        for trainer in trainers
    )
    fees = _money(rng, new_id, frame, delivery, len(cohort), rows)
    for firm in cohort:
        _enrol(rng, new_id, frame, delivery, module, firm, fees, trainers, rows)


def _enrol(
    rng: random.Random,
    new_id: IdMaker,
    frame: CountryFrame,
    delivery: Delivery,
    module: str,
    firm: Firm,
    fee: float,
    trainers: list[uuid.UUID],
    rows: Rows,
) -> None:
    spec = frame.spec
    dropped = chance(rng, 3)
    status = (
        "dropped"
        if dropped
        else rng.choices(("completed", "consulting_done", "classroom_done"), weights=(80, 12, 8))[0]
    )
    currency = spec.currency
    rows.add(
        new(
            Enrolment,
            id=new_id(),
            delivery_id=delivery.id,
            enterprise_id=firm.enterprise.id,
            status=status,
            fee=money(fee) if fee else None,
            currency=currency if fee else "",
            fee_usd=money(fee / rate_for(currency, delivery.start_date)) if fee else None,
        )
    )
    firm.modules.append(module)
    firm.last_end = max(firm.last_end, delivery.end_date or delivery.start_date)
    if firm.assessor is None and trainers:
        firm.assessor = trainers[0]
    _participants(rng, new_id, spec, delivery, firm, rows)
    if not dropped and trainers:
        _visits(rng, new_id, delivery, firm, trainers, rows)


def _participants(
    rng: random.Random,
    new_id: IdMaker,
    spec: CountrySpec,
    delivery: Delivery,
    firm: Firm,
    rows: Rows,
) -> None:
    """About four people per firm; follow-up modules bring back some EIT members."""
    count = rng.choice((3, 4, 4, 4, 5))
    returning = rng.sample(firm.eit, min(len(firm.eit), rng.randint(0, 2)))
    for index in range(count):
        if index < len(returning):
            person = returning[index]
        else:
            firm.people += 1
            person = f"P{firm.people}"
        # The first of each firm is a manager: a firm sends its decision-maker.
        role = (
            "manager"
            if index == 0
            else ("worker" if chance(rng, spec.workers_pct * 4 / 3) else "manager")
        )
        eit = person in firm.eit or (not firm.modules[:-1] and chance(rng, 60))
        if eit and person not in firm.eit:
            firm.eit.append(person)
        rows.add(
            new(
                Participant,
                id=new_id(),
                delivery_id=delivery.id,
                enterprise_id=firm.enterprise.id,
                person=person,
                sex="female" if chance(rng, spec.women_pct) else "male",
                role=role,
                eit_member=eit,
                satisfaction=_satisfaction(rng, spec.satisfaction_pct),
            )
        )


def _satisfaction(rng: random.Random, good_pct: int) -> int | None:
    if chance(rng, 8):
        return None
    if chance(rng, good_pct):
        return rng.choice((4, 5, 5))
    return rng.choice((1, 2, 3, 3, 3))


def _visits(
    rng: random.Random,
    new_id: IdMaker,
    delivery: Delivery,
    firm: Firm,
    trainers: list[uuid.UUID],
    rows: Rows,
) -> None:
    day = delivery.end_date or delivery.start_date
    for _ in range(rng.randint(1, 3)):
        day = days_after(day, 10, 40, rng)
        trainer = rng.choice(trainers)
        while (trainer, day) in firm.visit_days:
            day += dt.timedelta(days=1)
        firm.visit_days.add((trainer, day))
        rows.add(
            new(
                ConsultingVisit,
                id=new_id(),
                enterprise_id=firm.enterprise.id,
                trainer_id=trainer,
                date=day,
                hours=Decimal(rng.choice((3, 4, 4, 6, 8))),
                delivery_id=delivery.id,
            )
        )


def recovery_pct(spec: CountrySpec, day: dt.date) -> float:
    """Table 2's cost recovery of the year; before 2013 a little under 2013's, after 2017 2017's."""
    year = min(max(day.year, 2013), 2017)
    value = spec.recovery[year - 2013]
    if value is None:
        return 0.0
    return value * 0.8 if day.year < 2013 else float(value)


def _money(
    rng: random.Random,
    new_id: IdMaker,
    frame: CountryFrame,
    delivery: Delivery,
    firms: int,
    rows: Rows,
) -> float:
    """The delivery's direct cost and contributions; returns the fee per firm (local currency)."""
    spec = frame.spec
    rate = rate_for(spec.currency, delivery.start_date)
    cost_usd = spec.cost_per_enrolment_usd * firms * rng.uniform(0.8, 1.2)
    rows.add(_direct_cost(new_id, frame, delivery, cost_usd * rate, rate))
    recovered = cost_usd * rate * recovery_pct(spec, delivery.start_date) / 100
    recovered *= rng.uniform(0.85, 1.15)
    if recovered <= 0:
        return 0.0
    fee_share = rng.uniform(0.3, 0.7)
    rows.add(
        _contribution(
            new_id, frame, delivery, recovered * fee_share, rate, "sme_fee", delivery.organiser_id
        )
    )
    source, payer = _other_source(rng, frame)
    kind = "in_kind" if source == "partner_funds" else "cash"
    rest = recovered * (1 - fee_share)
    rows.add(_contribution(new_id, frame, delivery, rest, rate, source, payer, kind=kind))
    return recovered * fee_share / firms


def _other_source(rng: random.Random, frame: CountryFrame) -> tuple[str, uuid.UUID]:
    options: list[tuple[str, list[uuid.UUID]]] = [
        ("lead_buyer", frame.lead_buyers),
        ("public_budget", frame.public_bodies),
        ("grant", frame.donors),
        ("partner_funds", frame.organisers),
    ]
    available = [(source, ids) for source, ids in options if ids]
    source, ids = rng.choice(available)
    return source, rng.choice(ids)


def _direct_cost(
    new_id: IdMaker, frame: CountryFrame, delivery: Delivery, amount: float, rate: float
) -> DirectCost:
    return new(
        DirectCost,
        id=new_id(),
        country_id=frame.country.id,
        date=delivery.start_date,
        delivery_id=delivery.id,
        category="training delivery",
        amount=money(amount),
        currency=frame.spec.currency,
        usd=money(round(amount, 2) / rate),
    )


def _contribution(
    new_id: IdMaker,
    frame: CountryFrame,
    delivery: Delivery,
    amount: float,
    rate: float,
    source: str,
    payer: uuid.UUID | None,
    kind: str = "cash",
) -> Contribution:
    return new(
        Contribution,
        id=new_id(),
        country_id=frame.country.id,
        date=delivery.start_date,
        delivery_id=delivery.id,
        amount=money(amount),
        currency=frame.spec.currency,
        usd=money(round(amount, 2) / rate),
        organisation_id=payer or frame.organisers[0],
        source=source,
        kind=kind,
    )


# --------------------------------------------------------------------------
# Outcomes of one firm: assessments, KPIs, improvement plan, worker survey
# --------------------------------------------------------------------------


def _outcomes(
    rng: random.Random,
    new_id: IdMaker,
    catalogue: Catalogue,
    frame: CountryFrame,
    firm: Firm,
    rows: Rows,
) -> None:
    baseline = firm.m1_start - dt.timedelta(days=rng.randint(0, 14))
    progress = days_after(firm.last_end, 90, 200, rng)
    _assessments(rng, new_id, catalogue, firm, baseline, progress, rows)
    _kpi_series(rng, new_id, catalogue, firm, baseline, rows)
    if chance(rng, 85):
        _initiatives(rng, new_id, catalogue, firm, rows)
    if chance(rng, 12):
        _survey(rng, new_id, firm, baseline, progress, rows)


def _assessments(
    rng: random.Random,
    new_id: IdMaker,
    catalogue: Catalogue,
    firm: Firm,
    baseline: dt.date,
    progress: dt.date,
    rows: Rows,
) -> None:
    before = new(
        Assessment,
        id=new_id(),
        enterprise_id=firm.enterprise.id,
        kind="baseline",
        date=baseline,
        assessor_id=firm.assessor,
    )
    rows.add(before)
    with_progress = chance(rng, 85)
    after = new(
        Assessment,
        id=new_id(),
        enterprise_id=firm.enterprise.id,
        kind="progress",
        date=progress,
        assessor_id=firm.assessor,
    )
    if with_progress:
        rows.add(after)
    for practice, before_pct, new_pct in catalogue.practices:
        in_place = chance(rng, before_pct)
        rows.add(
            new(
                PracticeAnswer,
                id=new_id(),
                assessment_id=before.id,
                practice_id=practice,
                in_place=in_place,
            )
        )
        if with_progress:
            # Of the firms without it, `new_pct` of all firms adopt it.
            adopted = chance(rng, 100 * new_pct / max(1, 100 - before_pct))
            now = (in_place and chance(rng, 95)) or (not in_place and adopted)
            rows.add(
                new(
                    PracticeAnswer,
                    id=new_id(),
                    assessment_id=after.id,
                    practice_id=practice,
                    in_place=now,
                )
            )


def _kpi_series(
    rng: random.Random,
    new_id: IdMaker,
    catalogue: Catalogue,
    firm: Firm,
    baseline: dt.date,
    rows: Rows,
) -> None:
    """Monthly observations of 2-4 KPIs: most firms report 6+ months, some fewer."""
    months = rng.randint(6, 12) if chance(rng, 65) else rng.randint(1, 5)
    others = [code for code in catalogue.kpis if not code.startswith("employment")]
    chosen = rng.sample(others, rng.randint(1, 3))
    if chance(rng, 85):
        chosen.append("employment")
    first = month_start(baseline)
    for code in chosen:
        kpi_id, spec = catalogue.kpis[code]
        for month, value in enumerate(_series(rng, spec, firm, months)):
            rows.add(_observation(new_id, firm, kpi_id, spec, month_start(first, month), value))


def _series(rng: random.Random, spec: KpiSpec, firm: Firm, months: int) -> list[float]:
    if spec.code == "employment":
        start = float(firm.enterprise.workforce or 10)
    else:
        start = rng.uniform(*spec.base)
    better = 1 if spec.better == "higher" else -1
    trend = better if rng.random() < spec.improve else -better * rng.choice((0, 1))
    step = rng.uniform(0.005, 0.04) * trend
    values = []
    for month in range(months):
        noise = rng.gauss(0, 0.01)
        values.append(max(0.0, start * (1 + step * month + noise)))
    if spec.code == "employment":
        return [float(round(v)) for v in values]
    return values


def _observation(
    new_id: IdMaker, firm: Firm, kpi_id: uuid.UUID, spec: KpiSpec, month: dt.date, value: float
) -> KpiObservation:
    numerator = denominator = None
    if spec.denominator:
        # Ratio KPIs are entered as counts; the value is their quotient (as KpiObservation.save).
        units = 1000 + (firm.enterprise.workforce or 10) * 50
        denominator = Decimal(units)
        numerator = Decimal(round(value * units))
        value = float(numerator) / units
    return new(
        KpiObservation,
        id=new_id(),
        enterprise_id=firm.enterprise.id,
        kpi_id=kpi_id,
        month=month,
        value=Decimal(f"{value:.6f}"),
        numerator=numerator,
        denominator=denominator,
        source="synthetic",
    )


def _initiatives(
    rng: random.Random, new_id: IdMaker, catalogue: Catalogue, firm: Firm, rows: Rows
) -> None:
    titled = [(m, t) for m in dict.fromkeys(firm.modules) for t in INITIATIVE_TITLES.get(m, ())]
    chosen = rng.sample(titled, min(len(titled), rng.randint(2, 5)))
    saves = chance(rng, 70)
    for module, title in chosen:
        started = days_after(firm.m1_start, 7, 90, rng)
        status = rng.choices(("done", "in_progress", "planned", "dropped"), (55, 25, 15, 5))[0]
        rows.add(
            new(
                Initiative,
                id=new_id(),
                enterprise_id=firm.enterprise.id,
                title=title,
                module_id=catalogue.modules[module],
                category=module,
                gender_related=title in GENDER_TITLES,
                status=status,
                started_on=None if status == "planned" else started,
                completed_on=days_after(started, 14, 200, rng) if status == "done" else None,
                cost_usd=money(rng.uniform(0, 3000)),
                saving_usd=money(rng.uniform(50, 20000)) if saves and status == "done" else None,
            )
        )


def _survey(
    rng: random.Random,
    new_id: IdMaker,
    firm: Firm,
    baseline: dt.date,
    progress: dt.date,
    rows: Rows,
) -> None:
    for wave, day, lift in (("before", baseline, 0), ("after", progress, 1)):
        for respondent in range(1, rng.randint(4, 6) + 1):
            sex = rng.choice(("female", "male", "female", "male", "undisclosed"))
            for question in SURVEY_QUESTIONS:
                answer = min(5, max(1, round(rng.gauss(3 + 0.6 * lift, 0.9))))
                rows.add(
                    new(
                        WorkerSurveyAnswer,
                        id=new_id(),
                        enterprise_id=firm.enterprise.id,
                        wave=wave,
                        date=day,
                        respondent=f"R{respondent}",
                        sex=sex,
                        question=question,
                        answer=answer,
                    )
                )


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def write_rows(rows: Rows, *, batch_size: int) -> dict[str, int]:
    """Insert every row, parents first; returns the number of rows per model label."""
    counts: dict[str, int] = {}
    for model, objs in rows.ordered():
        bulk.insert(model, objs, batch_size=batch_size)
        counts[model._meta.label] = counts.get(model._meta.label, 0) + len(objs)
    return counts


# --------------------------------------------------------------------------
# Plans: which cohorts of enterprises a run builds
# --------------------------------------------------------------------------


@dataclass
class Cell:
    """The enterprises of one country that take Module 1 in one window."""

    country: str
    window: Window
    groups: list[int]

    @property
    def firms(self) -> int:
        return sum(self.groups)


def phase_window(spec: CountrySpec, phase: str) -> Window | None:
    """The phase's dates from three months after the country programme started."""
    name, start, end = next(p for p in PHASES if p[0] == phase)
    start = max(start, month_start(spec.start, 3))
    return Window(name, start, end) if start < end - dt.timedelta(days=60) else None


def demo_plan(rng: random.Random) -> list[Cell]:
    """Figure 6: the SMEs of each country in phases I and II."""
    cells = []
    for spec in COUNTRIES:
        for phase, count in (("I", spec.smes_phase1), ("II", spec.smes_phase2)):
            window = phase_window(spec, phase)
            if window is not None and count:
                cells.append(Cell(spec.code, window, split_groups(count, rng)))
    return cells


# How a generated programme spreads its enterprises over the phases.
PHASE_WEIGHTS = {"I": 0.3, "II": 1.0, "III": 0.8, "IV": 0.4}


def scaled_plan(rng: random.Random, enterprises: int) -> list[Cell]:
    """`enterprises` firms over the countries (weighted like Phase II) and the four phases."""
    cells = [
        Cell(spec.code, window, [])
        for spec in COUNTRIES
        for phase in PHASE_WEIGHTS
        if (window := phase_window(spec, phase)) is not None
    ]
    weights = [
        COUNTRY_BY_CODE[cell.country].smes_phase2 * PHASE_WEIGHTS[cell.window.phase]
        for cell in cells
    ]
    groups = split_groups(enterprises, rng)
    for cell, size in zip(rng.choices(cells, weights=weights, k=len(groups)), groups, strict=True):
        cell.groups.append(size)
    return [cell for cell in cells if cell.groups]


def chunks(cell: Cell, firms_per_chunk: int) -> Iterator[list[int]]:
    """The cell's delivery groups in slices of about `firms_per_chunk` enterprises."""
    size = max(1, firms_per_chunk // 4)
    for index in range(0, len(cell.groups), size):
        yield cell.groups[index : index + size]


def trainer_windows(
    cells: list[Cell], per_firm: float | None
) -> list[tuple[dt.date, dt.date, int, int]]:
    """(start, end, trained, certified) per cell: the report's counts, or a share of the firms."""
    windows = []
    for cell in cells:
        spec = COUNTRY_BY_CODE[cell.country]
        start = max(spec.start, cell.window.start - dt.timedelta(days=120))
        if per_firm is None:  # demo: the country page's Phase II box, Phase I about half of it
            factor = 1.0 if cell.window.phase == "II" else 0.55
            trained = max(2, round(spec.trainers_phase2 * factor))
            certified = round(spec.certified_phase2 * (1.0 if factor == 1.0 else 0.3))
        else:
            trained = max(2, round(cell.firms * per_firm))
            certified = round(trained * 0.35)
        windows.append((start, cell.window.end, trained, certified))
    return windows


# --------------------------------------------------------------------------
# Running a plan
# --------------------------------------------------------------------------


@dataclass
class RunOptions:
    purpose: str  # "demo" or "generate": separate random streams, so ids never collide
    seed: int
    prefix: str  # of every key the run creates
    trainers_per_firm: float | None  # None: the report's trainer counts
    events_until: dt.date
    events_scale: float = 1.0
    firms_per_chunk: int = 1000
    batch_size: int = 2000


def run_plan(
    cells: list[Cell], options: RunOptions, report: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Build and insert the cells' enterprises country by country, one atomic chunk at a time.

    Returns the number of rows inserted per model label. `report(done, total)` is
    called after each chunk with the number of enterprises written so far.
    """
    catalogue = load_catalogues()
    new_id = IdMaker(random.Random(f"{options.purpose}:{options.seed}:ids"))
    totals: dict[str, int] = {}
    done, total = 0, sum(cell.firms for cell in cells)
    for spec in COUNTRIES:
        country_cells = [cell for cell in cells if cell.country == spec.code]
        if not country_cells:
            continue
        rng = random.Random(f"{options.purpose}:{options.seed}:{spec.code}")
        with transaction.atomic():
            frame = prepare_frame(catalogue, spec, options.prefix)
            rows = country_rows(rng, new_id, frame, country_cells, options)
            _add(totals, write_rows(rows, batch_size=options.batch_size))
        counter = Counter()
        for cell in country_cells:
            for groups in chunks(cell, options.firms_per_chunk):
                with transaction.atomic():
                    rows = build_chunk(rng, new_id, catalogue, frame, cell.window, groups, counter)
                    _add(totals, write_rows(rows, batch_size=options.batch_size))
                done += sum(groups)
                if report is not None:
                    report(done, total)
    derived.refresh()  # the outcome rows of everything written (a full rebuild when big)
    return totals


def country_rows(
    rng: random.Random,
    new_id: IdMaker,
    frame: CountryFrame,
    cells: list[Cell],
    options: RunOptions,
) -> Rows:
    """The run's trainers (with milestones) and events of one country."""
    rows = Rows()
    rows.extend(
        build_trainers(rng, new_id, frame, trainer_windows(cells, options.trainers_per_firm))
    )
    rows.extend(build_events(rng, new_id, frame, options.events_until, options.events_scale))
    return rows


def _add(totals: dict[str, int], counts: dict[str, int]) -> None:
    for label, count in counts.items():
        totals[label] = totals.get(label, 0) + count
