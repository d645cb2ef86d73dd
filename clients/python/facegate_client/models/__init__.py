"""Contains all the data models used in inputs/outputs"""

from .audit_entry_out import AuditEntryOut
from .audit_entry_out_details import AuditEntryOutDetails
from .audit_list import AuditList
from .box import Box
from .candidate import Candidate
from .deletion_receipt import DeletionReceipt
from .enroll_body import EnrollBody
from .enroll_body_face_selection import EnrollBodyFaceSelection
from .enroll_json_body import EnrollJsonBody
from .enroll_json_body_face_selection import EnrollJsonBodyFaceSelection
from .enroll_json_body_metadata_type_0 import EnrollJsonBodyMetadataType0
from .enroll_result import EnrollResult
from .enrolled_face import EnrolledFace
from .enrolled_face_face_selection import EnrolledFaceFaceSelection
from .enrolled_face_quality_type_0 import EnrolledFaceQualityType0
from .face_list import FaceList
from .face_out import FaceOut
from .face_out_quality_type_0 import FaceOutQualityType0
from .gallery_deletion import GalleryDeletion
from .gallery_list import GalleryList
from .gallery_out import GalleryOut
from .health import Health
from .health_status import HealthStatus
from .identified_face import IdentifiedFace
from .identified_face_face_selection import IdentifiedFaceFaceSelection
from .identified_face_quality_type_0 import IdentifiedFaceQualityType0
from .identify_body import IdentifyBody
from .identify_body_face_selection import IdentifyBodyFaceSelection
from .identify_body_operating_point import IdentifyBodyOperatingPoint
from .identify_json_body import IdentifyJsonBody
from .identify_json_body_face_selection import IdentifyJsonBodyFaceSelection
from .identify_json_body_operating_point_type_0 import IdentifyJsonBodyOperatingPointType0
from .identify_result import IdentifyResult
from .image_data import ImageData
from .import_result import ImportResult
from .key_create import KeyCreate
from .key_create_scopes_item import KeyCreateScopesItem
from .key_created import KeyCreated
from .key_created_scopes_item import KeyCreatedScopesItem
from .key_list import KeyList
from .key_out import KeyOut
from .key_out_scopes_item import KeyOutScopesItem
from .match import Match
from .model_info import ModelInfo
from .model_info_accuracy_type_0 import ModelInfoAccuracyType0
from .model_info_calibration_type_0 import ModelInfoCalibrationType0
from .model_info_networks import ModelInfoNetworks
from .model_list import ModelList
from .network_info import NetworkInfo
from .problem import Problem
from .problem_code import ProblemCode
from .problem_errors_type_0_item import ProblemErrorsType0Item
from .quality_failure import QualityFailure
from .quality_failure_code import QualityFailureCode
from .rejected_image import RejectedImage
from .seen_face import SeenFace
from .seen_face_face_selection import SeenFaceFaceSelection
from .seen_face_quality_type_0 import SeenFaceQualityType0
from .subject_list import SubjectList
from .subject_out import SubjectOut
from .subject_out_metadata import SubjectOutMetadata
from .subject_update import SubjectUpdate
from .subject_update_metadata_type_0 import SubjectUpdateMetadataType0
from .verify_body import VerifyBody
from .verify_body_face_selection import VerifyBodyFaceSelection
from .verify_body_operating_point import VerifyBodyOperatingPoint
from .verify_json_body import VerifyJsonBody
from .verify_json_body_face_selection import VerifyJsonBodyFaceSelection
from .verify_json_body_operating_point_type_0 import VerifyJsonBodyOperatingPointType0
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
    "EnrollBodyFaceSelection",
    "EnrolledFace",
    "EnrolledFaceFaceSelection",
    "EnrolledFaceQualityType0",
    "EnrollJsonBody",
    "EnrollJsonBodyFaceSelection",
    "EnrollJsonBodyMetadataType0",
    "EnrollResult",
    "FaceList",
    "FaceOut",
    "FaceOutQualityType0",
    "GalleryDeletion",
    "GalleryList",
    "GalleryOut",
    "Health",
    "HealthStatus",
    "IdentifiedFace",
    "IdentifiedFaceFaceSelection",
    "IdentifiedFaceQualityType0",
    "IdentifyBody",
    "IdentifyBodyFaceSelection",
    "IdentifyBodyOperatingPoint",
    "IdentifyJsonBody",
    "IdentifyJsonBodyFaceSelection",
    "IdentifyJsonBodyOperatingPointType0",
    "IdentifyResult",
    "ImageData",
    "ImportResult",
    "KeyCreate",
    "KeyCreated",
    "KeyCreatedScopesItem",
    "KeyCreateScopesItem",
    "KeyList",
    "KeyOut",
    "KeyOutScopesItem",
    "Match",
    "ModelInfo",
    "ModelInfoAccuracyType0",
    "ModelInfoCalibrationType0",
    "ModelInfoNetworks",
    "ModelList",
    "NetworkInfo",
    "Problem",
    "ProblemCode",
    "ProblemErrorsType0Item",
    "QualityFailure",
    "QualityFailureCode",
    "RejectedImage",
    "SeenFace",
    "SeenFaceFaceSelection",
    "SeenFaceQualityType0",
    "SubjectList",
    "SubjectOut",
    "SubjectOutMetadata",
    "SubjectUpdate",
    "SubjectUpdateMetadataType0",
    "VerifyBody",
    "VerifyBodyFaceSelection",
    "VerifyBodyOperatingPoint",
    "VerifyJsonBody",
    "VerifyJsonBodyFaceSelection",
    "VerifyJsonBodyOperatingPointType0",
    "VerifyResult",
    "VerifyResultFaces",
)
