"""Contains all the data models used in inputs/outputs"""

from .audit_entry_out import AuditEntryOut
from .audit_entry_out_details import AuditEntryOutDetails
from .audit_list import AuditList
from .box import Box
from .candidate import Candidate
from .deletion_receipt import DeletionReceipt
from .enroll_body import EnrollBody
from .enroll_json_body import EnrollJsonBody
from .enroll_json_body_metadata_type_0 import EnrollJsonBodyMetadataType0
from .enroll_result import EnrollResult
from .enrolled_face import EnrolledFace
from .enrolled_face_quality_type_0 import EnrolledFaceQualityType0
from .face_list import FaceList
from .face_out import FaceOut
from .face_out_quality_type_0 import FaceOutQualityType0
from .face_selection_name import FaceSelectionName
from .gallery_deletion import GalleryDeletion
from .gallery_list import GalleryList
from .gallery_out import GalleryOut
from .health import Health
from .health_status import HealthStatus
from .identified_face import IdentifiedFace
from .identified_face_quality_type_0 import IdentifiedFaceQualityType0
from .identify_body import IdentifyBody
from .identify_json_body import IdentifyJsonBody
from .identify_result import IdentifyResult
from .image_data import ImageData
from .import_result import ImportResult
from .key_create import KeyCreate
from .key_created import KeyCreated
from .key_list import KeyList
from .key_out import KeyOut
from .match import Match
from .model_info import ModelInfo
from .model_info_accuracy_type_0 import ModelInfoAccuracyType0
from .model_info_calibration_type_0 import ModelInfoCalibrationType0
from .model_info_networks import ModelInfoNetworks
from .model_list import ModelList
from .network_info import NetworkInfo
from .one_face_selection import OneFaceSelection
from .operating_point import OperatingPoint
from .problem import Problem
from .problem_code import ProblemCode
from .problem_errors_type_0_item import ProblemErrorsType0Item
from .quality_code import QualityCode
from .quality_failure import QualityFailure
from .rejected_image import RejectedImage
from .scope import Scope
from .search_face_selection import SearchFaceSelection
from .search_operating_point import SearchOperatingPoint
from .seen_face import SeenFace
from .seen_face_quality_type_0 import SeenFaceQualityType0
from .subject_list import SubjectList
from .subject_out import SubjectOut
from .subject_out_metadata import SubjectOutMetadata
from .subject_update import SubjectUpdate
from .subject_update_metadata_type_0 import SubjectUpdateMetadataType0
from .verify_body import VerifyBody
from .verify_json_body import VerifyJsonBody
from .verify_result import VerifyResult
from .verify_result_faces import VerifyResultFaces

__all__ = (
    "AuditEntryOut",
    "AuditEntryOutDetails",
    "AuditList",
    "Box",
    "Candidate",
    "DeletionReceipt",
    "EnrollBody",
    "EnrolledFace",
    "EnrolledFaceQualityType0",
    "EnrollJsonBody",
    "EnrollJsonBodyMetadataType0",
    "EnrollResult",
    "FaceList",
    "FaceOut",
    "FaceOutQualityType0",
    "FaceSelectionName",
    "GalleryDeletion",
    "GalleryList",
    "GalleryOut",
    "Health",
    "HealthStatus",
    "IdentifiedFace",
    "IdentifiedFaceQualityType0",
    "IdentifyBody",
    "IdentifyJsonBody",
    "IdentifyResult",
    "ImageData",
    "ImportResult",
    "KeyCreate",
    "KeyCreated",
    "KeyList",
    "KeyOut",
    "Match",
    "ModelInfo",
    "ModelInfoAccuracyType0",
    "ModelInfoCalibrationType0",
    "ModelInfoNetworks",
    "ModelList",
    "NetworkInfo",
    "OneFaceSelection",
    "OperatingPoint",
    "Problem",
    "ProblemCode",
    "ProblemErrorsType0Item",
    "QualityCode",
    "QualityFailure",
    "RejectedImage",
    "Scope",
    "SearchFaceSelection",
    "SearchOperatingPoint",
    "SeenFace",
    "SeenFaceQualityType0",
    "SubjectList",
    "SubjectOut",
    "SubjectOutMetadata",
    "SubjectUpdate",
    "SubjectUpdateMetadataType0",
    "VerifyBody",
    "VerifyJsonBody",
    "VerifyResult",
    "VerifyResultFaces",
)
